# fit_time.gp - fit seconds per dataset, one series per model
# Data: fit_time.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot fit_time.gp     or     gnuplot -e "fmt='png'" fit_time.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 900,520 font 'sans,10' noenhanced
    set output 'fit_time.png'
} else {
    set terminal svg size 900,520 font 'sans,11' noenhanced background '#ffffff'
    set output 'fit_time.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set logscale xy
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set xlabel 'rows in the dataset'
set ylabel 'fit seconds per fold'
set key outside right top
# fit_seconds has 3 decimals: 0.000 means < 0.5 ms, drawn at 1 ms
plot 'fit_time.csv' skip 1 using 2:(column(3) < 0.001 && valid(3) ? 0.001 : column(3)) with points pt 7 ps 0.8 lc rgb '#1f77b4' title 'rfm', \
     'fit_time.csv' skip 1 using 2:(column(4) < 0.001 && valid(4) ? 0.001 : column(4)) with points pt 4 ps 0.8 lc rgb '#d62728' title 'laplace', \
     'fit_time.csv' skip 1 using 2:(column(5) < 0.001 && valid(5) ? 0.001 : column(5)) with points pt 8 ps 0.8 lc rgb '#2ca02c' title 'ntk-svm', \
     'fit_time.csv' skip 1 using 2:(column(6) < 0.001 && valid(6) ? 0.001 : column(6)) with points pt 1 ps 0.8 lc rgb '#ff7f0e' title 'ntk-krr', \
     'fit_time.csv' skip 1 using 2:(column(7) < 0.001 && valid(7) ? 0.001 : column(7)) with points pt 12 ps 0.8 lc rgb '#9467bd' title 'svm-rbf', \
     'fit_time.csv' skip 1 using 2:(column(8) < 0.001 && valid(8) ? 0.001 : column(8)) with points pt 2 ps 0.8 lc rgb '#8c564b' title 'mlp', \
     'fit_time.csv' skip 1 using 2:(column(9) < 0.001 && valid(9) ? 0.001 : column(9)) with points pt 6 ps 0.8 lc rgb '#e377c2' title 'random_forest', \
     'fit_time.csv' skip 1 using 2:(column(10) < 0.001 && valid(10) ? 0.001 : column(10)) with points pt 10 ps 0.8 lc rgb '#7f7f7f' title 'xgboost', \
     'fit_time.csv' skip 1 using 2:(column(11) < 0.001 && valid(11) ? 0.001 : column(11)) with points pt 3 ps 0.8 lc rgb '#bcbd22' title 'ridge'
