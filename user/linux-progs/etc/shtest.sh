# sh /etc/shtest.sh NONCE: the shell (sh.c) and the utilities (utils.c)
# check themselves; the system test linux_sh_script runs it.  A check that
# fails adds a line to $F; the last line says ok only if none did.
T=/tmp/shtest.$$
F=/tmp/shtest.$$.failed
rm -rf $T $F; mkdir -p $T/d/e || echo "mkdir -p $T/d/e" >> $F
cd $T || echo "cd $T" >> $F

# Pipelines and redirections, compared with cmp.
seq 1 12 | grep 1 | wc -l > got; echo 4 > want; cmp got want || echo "seq | grep | wc -l: expected 4" >> $F
echo a > f; echo b >> f; wc -l < f > got; echo 2 > want; cmp got want || echo "> >> <: expected 2 lines" >> $F
ls /no/such/dir 2> err; test $? -eq 2 || echo "ls of a missing directory: expected status 2" >> $F
test -s err || echo "2>: expected ls's complaint in the file" >> $F
ls /no/such/dir > both 2>&1; test -s both || echo "2>&1: expected ls's complaint in the file" >> $F
seq 5 | sort -rn | head -n 2 | tail -n 1 > got; echo 4 > want; cmp got want || echo "sort -rn | head | tail" >> $F

# Quoting, variables, statuses.
echo "a  b" 'c $d' e\ f > got; echo 'a  b c $d e f' > want; cmp got want || echo "quoting" >> $F
X=one; Y="$X two"; echo $Y > got; echo one two > want; cmp got want || echo "variables" >> $F
false; test $? -eq 1 || echo "false: expected \$? 1" >> $F
sh -c "exit 7"; test $? -eq 7 || echo "sh -c 'exit 7': expected \$? 7" >> $F
sh -c 'kill -9 $$'; test $? -eq 137 || echo "a death by SIGKILL: expected \$? 137" >> $F
sh -c 'sh -c "kill -9 \$\$"' 2> sig; grep "killed by signal 9" sig > /dev/null || echo "a death by SIGKILL: expected the shell to say so" >> $F
no-such-command 2> nf; test $? -eq 127 || echo "an unknown command: expected \$? 127" >> $F
grep "no-such-command: not found" nf > /dev/null || echo "an unknown command: expected 'not found'" >> $F
false && echo no > and; test -e and && echo "false && ...: ran the second" >> $F
true || echo no > or; test -e or && echo "true || ...: ran the second" >> $F
export SHT=value; env | grep -c SHT=value > got; echo 1 > want; cmp got want || echo "export, env" >> $F
unset SHT; env | grep SHT= > /dev/null && echo "unset" >> $F
test "$1" = "" && echo "the script's \$1: expected the nonce" >> $F

# Directories and files.
cd d; pwd > ../got; cd ..; echo $T/d > want; cmp got want || echo "cd, pwd" >> $F
touch d/e/x; cp f d/e/y; mv d/e/y d/z; ls d > got; echo e > want; echo z >> want; cmp got want || echo "touch, cp, mv, ls" >> $F
cmp f d/z || echo "cp: expected a copy" >> $F
ln -s f link; cat link > got; cmp f got || echo "ln -s, cat of a link" >> $F
echo tee | tee t1 > t2; cmp t1 t2 || echo "tee" >> $F
rm -r d; test -e d && echo "rm -r" >> $F
[ -f f ] || echo "[ -f f ]" >> $F
[ 3 -lt 10 ] || echo "[ 3 -lt 10 ]" >> $F
sleep 0.1 & wait

cd /; rm -r $T
# ok needs test to run and say there is no failure: a shell that cannot
# run programs at all must not pass.
test -s $F && cat $F
test ! -s $F && echo "shtest: nonce=$1 ok"
rm -f $F
