"""An example of hidden tests for lab 0 (docs/grading.md, "Hidden tests").

    make grade LAB=0 TESTS_DIR=grader/examples/hidden
    make grade-batch SUBMISSIONS=dir LAB=0 TESTS_DIR=/path/to/hidden

A folder given to TESTS_DIR replaces grader/ as the source of every lab's
tests, so this file keeps lab 0's public tests and adds one that students
never see: lab0_null again, with five times as many calls, drawn from a range
the public test never uses.  A sys_null that only works for the public
test's counts (a table of 20..60 answers, say) fails it.

The public tests are read from the grader's own folder.  In batch grading
and on Gradescope that folder is the instructor's trusted copy; in a
student's tree it is the student's, so an instructor's real hidden folder
holds its own copies of the public lab files instead of importing them.
"""

import os

import gradelib
from gradelib import Test, Watch

_public = gradelib.load_lab(os.path.join(os.path.dirname(os.path.abspath(gradelib.__file__)),
                                         "lab0.py"))

LAB = 0
TITLE = _public["TITLE"]

TESTS = _public["TESTS"] + [
    Test("null_syscall_many", points=20,
         doc="Hidden: SYS_NULL made 100..300 times, each call counted by GDB.",
         programs=["lab0_null {nonce} {calls}"],
         params={"calls": (100, 300)},
         expect=[(r"^lab0_null: nonce={nonce} calls={calls} ok$", "lab0_null's success line")],
         watches=[Watch("syscall", cond="tf->eax == 3", key="tf->ebx", expect="{calls}",
                        what="null system calls")]),
]
BENCHES = _public["BENCHES"]
