# features_arrhythmia__rfm.gp - learned metric: top diagonal entries and eigenvalues
# Data: features_arrhythmia__rfm.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot features_arrhythmia__rfm.gp     or     gnuplot -e "fmt='png'" features_arrhythmia__rfm.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 1000,480 font 'sans,10' noenhanced
    set output 'features_arrhythmia__rfm.png'
} else {
    set terminal svg size 1000,480 font 'sans,11' noenhanced background '#ffffff'
    set output 'features_arrhythmia__rfm.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set multiplot layout 1,2 title 'arrhythmia: metric M learned by rfm (d = 262)'
set style fill solid 0.7 border -1
set boxwidth 0.7
unset key
set bmargin 6
set yrange [0:*]
set title 'largest diagonal entries M_kk'
set xtics rotate by 60 right font ',9'
plot 'features_arrhythmia__rfm.csv' skip 1 using 1:3:xtic(2) with boxes lc rgb '#1f77b4'
set title 'largest eigenvalues of M'
set xtics 1 norotate font ',9'
set xlabel 'eigenvalue index'
set xrange [0.3:25.7]
plot 'features_arrhythmia__rfm.csv' skip 1 using 1:4 with boxes lc rgb '#2ca02c'
unset multiplot
