# scatter_5_svm-rbf.gp - best model against another, one point per dataset
# Data: scatter_5_svm-rbf.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot scatter_5_svm-rbf.gp     or     gnuplot -e "fmt='png'" scatter_5_svm-rbf.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 640,640 font 'sans,10' noenhanced
    set output 'scatter_5_svm-rbf.png'
} else {
    set terminal svg size 640,640 font 'sans,11' noenhanced background '#ffffff'
    set output 'scatter_5_svm-rbf.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set title 'rfm vs svm-rbf: 18 above y = x, 59 below, 13 on it'
set xlabel 'rfm, test accuracy'
set ylabel 'svm-rbf, test accuracy'
set size square
set xrange [0.31505:1.0199499999999999]
set yrange [0.31505:1.0199499999999999]
set key top left opaque
plot x with lines dt 2 lc rgb '#888888' title 'y = x', \
     'scatter_5_svm-rbf.csv' skip 1 using 2:($4 == 0 ? $3 : 1/0) with points pt 7 ps 0.7 lc rgb '#1f77b4' title 'dataset', \
     'scatter_5_svm-rbf.csv' skip 1 using 2:($4 > 0 ? $3 : 1/0) with points pt 6 ps 1.0 lc rgb '#d62728' title 'dataset with failed folds'
