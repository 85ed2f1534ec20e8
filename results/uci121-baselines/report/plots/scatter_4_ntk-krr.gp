# scatter_4_ntk-krr.gp - best model against another, one point per dataset
# Data: scatter_4_ntk-krr.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot scatter_4_ntk-krr.gp     or     gnuplot -e "fmt='png'" scatter_4_ntk-krr.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 640,640 font 'sans,10' noenhanced
    set output 'scatter_4_ntk-krr.png'
} else {
    set terminal svg size 640,640 font 'sans,11' noenhanced background '#ffffff'
    set output 'scatter_4_ntk-krr.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set title 'rfm vs ntk-krr: 23 above y = x, 53 below, 14 on it'
set xlabel 'rfm, test accuracy'
set ylabel 'ntk-krr, test accuracy'
set size square
set xrange [0.32020000000000004:1.0198]
set yrange [0.32020000000000004:1.0198]
set key top left opaque
plot x with lines dt 2 lc rgb '#888888' title 'y = x', \
     'scatter_4_ntk-krr.csv' skip 1 using 2:($4 == 0 ? $3 : 1/0) with points pt 7 ps 0.7 lc rgb '#1f77b4' title 'dataset', \
     'scatter_4_ntk-krr.csv' skip 1 using 2:($4 > 0 ? $3 : 1/0) with points pt 6 ps 1.0 lc rgb '#d62728' title 'dataset with failed folds'
