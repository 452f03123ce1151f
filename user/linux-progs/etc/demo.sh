# What the Linux server can do, in a few lines: sh /etc/demo.sh
echo "== a pipeline of three processes:  seq 1 10 | grep 1 | wc -l"
seq 1 10 | grep 1 | wc -l
echo "== a redirection to a file, read back:  uname -a > /tmp/u; cat /tmp/u"
uname -a > /tmp/u && cat /tmp/u && wc -c /tmp/u
echo "== sorting, and a file appended to:"
echo pear > /tmp/f; echo apple >> /tmp/f; echo fig >> /tmp/f; sort /tmp/f | tee /tmp/sorted
echo "== a program killed by a signal (the shell says so, and \$? is 128 + 9):"
sh -c 'echo "pid $$ kills itself"; kill -9 $$'
echo "status $?"
echo "== ls -l /bin/ls /bin/sh:"
ls -l /bin/ls /bin/sh
