# accuracy_vs_size.gp - score against dataset size, one series per model
# Data: accuracy_vs_size.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot accuracy_vs_size.gp     or     gnuplot -e "fmt='png'" accuracy_vs_size.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 900,520 font 'sans,10' noenhanced
    set output 'accuracy_vs_size.png'
} else {
    set terminal svg size 900,520 font 'sans,11' noenhanced background '#ffffff'
    set output 'accuracy_vs_size.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set logscale x
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set xlabel 'rows in the dataset'
set ylabel 'test accuracy'
set key outside right top
set yrange [*:1.01] # accuracy: nothing above 1
plot 'accuracy_vs_size.csv' skip 1 using 2:3 with points pt 7 ps 0.8 lc rgb '#1f77b4' title 'rfm', \
     'accuracy_vs_size.csv' skip 1 using 2:4 with points pt 4 ps 0.8 lc rgb '#d62728' title 'laplace', \
     'accuracy_vs_size.csv' skip 1 using 2:5 with points pt 8 ps 0.8 lc rgb '#2ca02c' title 'ntk-svm', \
     'accuracy_vs_size.csv' skip 1 using 2:6 with points pt 1 ps 0.8 lc rgb '#ff7f0e' title 'ntk-krr', \
     'accuracy_vs_size.csv' skip 1 using 2:7 with points pt 12 ps 0.8 lc rgb '#9467bd' title 'svm-rbf', \
     'accuracy_vs_size.csv' skip 1 using 2:8 with points pt 2 ps 0.8 lc rgb '#8c564b' title 'mlp', \
     'accuracy_vs_size.csv' skip 1 using 2:9 with points pt 6 ps 0.8 lc rgb '#e377c2' title 'random_forest', \
     'accuracy_vs_size.csv' skip 1 using 2:10 with points pt 10 ps 0.8 lc rgb '#7f7f7f' title 'xgboost', \
     'accuracy_vs_size.csv' skip 1 using 2:11 with points pt 3 ps 0.8 lc rgb '#bcbd22' title 'ridge'
