# cd.gp - critical-difference diagram (Demsar 2006)
# Data: cd.csv, written by `rfmbench report`. Re-draw in this folder with
#   gnuplot cd.gp     or     gnuplot -e "fmt='png'" cd.gp
if (!exists('fmt')) fmt = 'svg'
if (fmt eq 'png') {
    set terminal pngcairo size 900,323 font 'sans,10' noenhanced
    set output 'cd.png'
} else {
    set terminal svg size 900,323 font 'sans,11' noenhanced background '#ffffff'
    set output 'cd.svg'
}
set datafile separator comma
set grid lc rgb '#dddddd'
set title 'Average rank over 90 datasets (1 = best)'
unset border
unset ytics
unset grid
unset key
set xzeroaxis lt -1 lc rgb 'black'
set xtics axis 1 nomirror in scale 0.6 offset 0,1.7
set xrange [1:9]
set yrange [-2.2999999999999998:1.3500000000000001]
set lmargin 17
set rmargin 23
set arrow 1 from 1,0.85 to 2.2662759699804775,0.85 heads size screen 0.006,90 lw 2
set label 1 'CD = 1.266' at 1.6331379849902388,1.1 center
plot 'cd.csv' skip 1 using 2:(0):(0):3 with vectors nohead lc rgb 'black', \
     'cd.csv' skip 1 using 2:3:($4-$2):(0) with vectors nohead lc rgb 'black', \
     'cd.csv' skip 1 using ($5 == 0 ? $4 : 1/0):3:(sprintf('%s (%.2f)', strcol(1), $2)) with labels right offset -0.5,0, \
     'cd.csv' skip 1 using ($5 == 1 ? $4 : 1/0):3:(sprintf('%s (%.2f)', strcol(1), $2)) with labels left offset 0.5,0, \
     'cd_cliques.csv' skip 1 using ($1-0.03):3:($2-$1+0.06):(0) with vectors nohead lw 5 lc rgb '#d62728'
