# scatter_3_ntk-svm.gp - best model against another, one point per dataset
# Data: scatter_3_ntk-svm.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot scatter_3_ntk-svm.gp     or     gnuplot -e "fmt='png'" scatter_3_ntk-svm.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 640,640 font 'sans,10' noenhanced
    set output 'scatter_3_ntk-svm.png'
} else {
    set terminal svg size 640,640 font 'sans,11' noenhanced background '#ffffff'
    set output 'scatter_3_ntk-svm.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set title 'rfm vs ntk-svm: 17 above y = x, 62 below, 11 on it'
set xlabel 'rfm, test accuracy'
set ylabel 'ntk-svm, test accuracy'
set size square
set xrange [0.32535000000000003:1.0196499999999999]
set yrange [0.32535000000000003:1.0196499999999999]
set key top left opaque
plot x with lines dt 2 lc rgb '#888888' title 'y = x', \
     'scatter_3_ntk-svm.csv' skip 1 using 2:($4 == 0 ? $3 : 1/0) with points pt 7 ps 0.7 lc rgb '#1f77b4' title 'dataset', \
     'scatter_3_ntk-svm.csv' skip 1 using 2:($4 > 0 ? $3 : 1/0) with points pt 6 ps 1.0 lc rgb '#d62728' title 'dataset with failed folds'
