# scatter_8_xgboost.gp - best model against another, one point per dataset
# Data: scatter_8_xgboost.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot scatter_8_xgboost.gp     or     gnuplot -e "fmt='png'" scatter_8_xgboost.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 640,640 font 'sans,10' noenhanced
    set output 'scatter_8_xgboost.png'
} else {
    set terminal svg size 640,640 font 'sans,11' noenhanced background '#ffffff'
    set output 'scatter_8_xgboost.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set title 'rfm vs xgboost: 23 above y = x, 61 below, 6 on it'
set xlabel 'rfm, test accuracy'
set ylabel 'xgboost, test accuracy'
set size square
set xrange [0.29960000000000009:1.0204]
set yrange [0.29960000000000009:1.0204]
set key top left opaque
plot x with lines dt 2 lc rgb '#888888' title 'y = x', \
     'scatter_8_xgboost.csv' skip 1 using 2:($4 == 0 ? $3 : 1/0) with points pt 7 ps 0.7 lc rgb '#1f77b4' title 'dataset', \
     'scatter_8_xgboost.csv' skip 1 using 2:($4 > 0 ? $3 : 1/0) with points pt 6 ps 1.0 lc rgb '#d62728' title 'dataset with failed folds'
