# scatter_7_random_forest.gp - best model against another, one point per dataset
# Data: scatter_7_random_forest.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot scatter_7_random_forest.gp     or     gnuplot -e "fmt='png'" scatter_7_random_forest.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 640,640 font 'sans,10' noenhanced
    set output 'scatter_7_random_forest.png'
} else {
    set terminal svg size 640,640 font 'sans,11' noenhanced background '#ffffff'
    set output 'scatter_7_random_forest.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set title 'rfm vs random_forest: 20 above y = x, 62 below, 8 on it'
set xlabel 'rfm, test accuracy'
set ylabel 'random_forest, test accuracy'
set size square
set xrange [0.32534999999999997:1.0196499999999999]
set yrange [0.32534999999999997:1.0196499999999999]
set key top left opaque
plot x with lines dt 2 lc rgb '#888888' title 'y = x', \
     'scatter_7_random_forest.csv' skip 1 using 2:($4 == 0 ? $3 : 1/0) with points pt 7 ps 0.7 lc rgb '#1f77b4' title 'dataset', \
     'scatter_7_random_forest.csv' skip 1 using 2:($4 > 0 ? $3 : 1/0) with points pt 6 ps 1.0 lc rgb '#d62728' title 'dataset with failed folds'
