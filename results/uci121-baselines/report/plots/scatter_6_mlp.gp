# scatter_6_mlp.gp - best model against another, one point per dataset
# Data: scatter_6_mlp.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot scatter_6_mlp.gp     or     gnuplot -e "fmt='png'" scatter_6_mlp.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 640,640 font 'sans,10' noenhanced
    set output 'scatter_6_mlp.png'
} else {
    set terminal svg size 640,640 font 'sans,11' noenhanced background '#ffffff'
    set output 'scatter_6_mlp.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set title 'rfm vs mlp: 15 above y = x, 64 below, 11 on it'
set xlabel 'rfm, test accuracy'
set ylabel 'mlp, test accuracy'
set size square
set xrange [0.33050000000000002:1.0195000000000001]
set yrange [0.33050000000000002:1.0195000000000001]
set key top left opaque
plot x with lines dt 2 lc rgb '#888888' title 'y = x', \
     'scatter_6_mlp.csv' skip 1 using 2:($4 == 0 ? $3 : 1/0) with points pt 7 ps 0.7 lc rgb '#1f77b4' title 'dataset', \
     'scatter_6_mlp.csv' skip 1 using 2:($4 > 0 ? $3 : 1/0) with points pt 6 ps 1.0 lc rgb '#d62728' title 'dataset with failed folds'
