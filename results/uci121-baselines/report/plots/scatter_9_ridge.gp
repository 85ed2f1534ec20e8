# scatter_9_ridge.gp - best model against another, one point per dataset
# Data: scatter_9_ridge.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot scatter_9_ridge.gp     or     gnuplot -e "fmt='png'" scatter_9_ridge.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 640,640 font 'sans,10' noenhanced
    set output 'scatter_9_ridge.png'
} else {
    set terminal svg size 640,640 font 'sans,11' noenhanced background '#ffffff'
    set output 'scatter_9_ridge.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set title 'rfm vs ridge: 9 above y = x, 73 below, 8 on it'
set xlabel 'rfm, test accuracy'
set ylabel 'ridge, test accuracy'
set size square
set xrange [0.24745625000000004:1.02191875]
set yrange [0.24745625000000004:1.02191875]
set key top left opaque
plot x with lines dt 2 lc rgb '#888888' title 'y = x', \
     'scatter_9_ridge.csv' skip 1 using 2:($4 == 0 ? $3 : 1/0) with points pt 7 ps 0.7 lc rgb '#1f77b4' title 'dataset', \
     'scatter_9_ridge.csv' skip 1 using 2:($4 > 0 ? $3 : 1/0) with points pt 6 ps 1.0 lc rgb '#d62728' title 'dataset with failed folds'
