#!/usr/bin/env python3
"""GitHub Classroom: the workflow a handout carries, and its two helpers.

    python3 grader/classroom.py report [GRADE_JSON]   (the workflow runs this)
    python3 grader/classroom.py local TREE            (make test runs this)

`make handout` writes .github/workflows/classroom.yml into the exported
tree (workflow(), called by grader/export.py).  On every push it installs
the Debian packages (tools/deps), runs `make grade LAB=n` for the lab
being handed in, uploads build/grade.json as an artifact, and hands the
score to GitHub Classroom through classroom-resources/autograding-grading-
reporter: that action reads, for each runner named in its `runners` input,
an environment variable RUNNER_RESULTS holding base64 of a JSON object
{"version": 1, "status": "pass"|"fail"|"error", "max_score": N,
"tests": [{"name", "status", "score", "message"}, ...]}, adds the scores up
and writes "Points score/max" on the run's check, which Classroom reads.
`report` turns build/grade.json into that object and prints
`result=BASE64` for $GITHUB_OUTPUT, and the score on stderr.

Python has no YAML parser, so the workflow is written by a small emitter
(block mappings and lists, every value a double-quoted string or an
integer, a run script as a `|` block) and read back by a parser of exactly that subset
(load()), which is what make test checks.  `local TREE` runs the
workflow's `run:` steps in an exported tree, one after another, as the
runner would (bash, GITHUB_OUTPUT), and checks the score they report.
"""

import base64
import json
import os
import re
import subprocess
import sys
import tempfile

RUNNER = "l4lab"          # the grading step's id, and the reporter's runner
REPORTER = "classroom-resources/autograding-grading-reporter@v1"


def workflow(lab):
    """The workflow for lab `lab`, as a dict (dump() writes it)."""
    return {
        "name": "Autograding Tests",
        "on": ["push", "workflow_dispatch", "repository_dispatch"],
        "permissions": {"checks": "write", "actions": "read", "contents": "read"},
        "jobs": {"run-autograding-tests": {
            # The reporter writes the points on the check run of this name.
            "name": "Autograding Tests",
            "runs-on": "ubuntu-latest",
            "if": "github.actor != 'github-classroom[bot]'",
            "timeout-minutes": 30,
            "steps": [
                {"name": "Checkout code", "uses": "actions/checkout@v4"},
                {"name": "Install the Debian packages l4lab needs (tools/deps)",
                 "run": "sudo sh tools/deps\n"},
                {"name": "Grade lab %d" % lab, "id": RUNNER,
                 # GitHub sets CI=true, which makes warnings errors (the
                 # Makefile's WERROR, for the project's own CI): a student's
                 # warning must not cost the grade.
                 "env": {"CI": "false"},
                 # make grade exits 2 when a test fails: the score is still
                 # the result, and the reporter marks the run failed.
                 "run": "make grade LAB=%d || true\n"
                        "python3 grader/classroom.py report build/grade.json "
                        ">> \"$GITHUB_OUTPUT\"\n" % lab},
                {"name": "Keep the grader's results (build/grade.json)",
                 "if": "always()", "uses": "actions/upload-artifact@v4",
                 "with": {"name": "grade-lab%d" % lab, "path": "build/grade.json",
                          "if-no-files-found": "warn"}},
                {"name": "Autograding Reporter", "uses": REPORTER,
                 "env": {"%s_RESULTS" % RUNNER.upper():
                         "${{ steps.%s.outputs.result }}" % RUNNER},
                 "with": {"runners": RUNNER}},
            ]}},
    }


HEADER = """\
# GitHub Classroom autograding for l4lab (written by make handout: grader/classroom.py).
# On every push: install the Debian packages, run `make grade LAB=%d`, report
# the score to GitHub Classroom, and keep build/grade.json as an artifact.
"""

KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Plain words YAML 1.1 reads as booleans or null: such keys are quoted.
YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _key(k):
    return k if KEY.match(k) and k.lower() not in YAML11_WORDS else json.dumps(k)


def _scalar(v, indent):
    if isinstance(v, int):
        return "%d\n" % v
    if "\n" in v:
        assert v.endswith("\n") and "\n\n" not in v, "a run script: lines, no blank ones"
        pad = " " * (indent + 2)
        return "|\n" + "".join(pad + line + "\n" for line in v[:-1].split("\n"))
    return json.dumps(v) + "\n"


def _emit(value, indent):
    pad = " " * indent
    out = ""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (str, int)):
                out += "%s%s: %s" % (pad, _key(k), _scalar(v, indent))
            else:
                out += "%s%s:\n%s" % (pad, _key(k), _emit(v, indent + 2))
    else:
        for item in value:
            if isinstance(item, str):
                out += "%s- %s" % (pad, _scalar(item, indent))
            else:
                body = _emit(item, indent + 2)
                out += pad + "- " + body[indent + 2:]
    return out


def dump(wf, lab):
    return HEADER % lab + _emit(wf, 0)


class YamlError(Exception):
    pass


def load(text):
    """Parses the subset dump() writes: block mappings and lists (two spaces
    a level, a list item's mapping starting on the dash's line), values
    that are double-quoted (JSON) strings, decimal integers or `|` blocks,
    comment lines."""
    lines = [(n + 1, l) for n, l in enumerate(text.split("\n"))
             if l.strip() and not l.lstrip().startswith("#")]
    pos = 0

    def indent_of(line):
        return len(line) - len(line.lstrip(" "))

    def scalar(n, text, indent):
        nonlocal pos
        if text == "|":
            block = []
            while pos < len(lines) and indent_of(lines[pos][1]) > indent:
                block.append(lines[pos][1][indent + 2:])
                pos += 1
            if not block:
                raise YamlError("line %d: an empty | block" % n)
            return "\n".join(block) + "\n"
        if re.match(r"^[0-9]+$", text):
            return int(text)
        if not (text.startswith('"') and text.endswith('"')):
            raise YamlError("line %d: %r is not a double-quoted string" % (n, text))
        try:
            return json.loads(text)
        except ValueError:
            raise YamlError("line %d: %r is not a valid string" % (n, text))

    def node(indent):
        nonlocal pos
        n, line = lines[pos]
        if indent_of(line) != indent:
            raise YamlError("line %d: indented %d, expected %d" % (n, indent_of(line), indent))
        return seq(indent) if line[indent:].startswith("- ") else mapping(indent)

    def entry(n, text, indent, into):
        m = re.match(r'^("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?$', text)
        if not m:
            raise YamlError("line %d: not a 'key: value' line: %r" % (n, text))
        key = json.loads(m.group(1)) if m.group(1).startswith('"') else m.group(1)
        if key in into:
            raise YamlError("line %d: key %r twice" % (n, key))
        if m.group(2) is not None:
            into[key] = scalar(n, m.group(2), indent)
        elif pos < len(lines) and indent_of(lines[pos][1]) > indent:
            into[key] = node(indent + 2)
        else:
            raise YamlError("line %d: %r has no value" % (n, key))

    def mapping(indent, into=None):
        nonlocal pos
        into = {} if into is None else into
        while pos < len(lines) and indent_of(lines[pos][1]) == indent and \
                not lines[pos][1][indent:].startswith("- "):
            n, line = lines[pos]
            pos += 1
            entry(n, line[indent:], indent, into)
        return into

    def seq(indent):
        nonlocal pos
        items = []
        while pos < len(lines) and indent_of(lines[pos][1]) == indent and \
                lines[pos][1][indent:].startswith("- "):
            n, line = lines[pos]
            rest = line[indent + 2:]
            pos += 1
            if rest.startswith('"') or rest == "|":
                items.append(scalar(n, rest, indent))
            else:
                item = {}
                entry(n, rest, indent + 2, item)
                items.append(mapping(indent + 2, item))
        return items

    if not lines:
        raise YamlError("no content")
    result = node(0)
    if pos != len(lines):
        raise YamlError("line %d: unexpected (indentation?)" % lines[pos][0])
    return result


def report(path):
    """The reporter's result object for a grade.json (an error if there is
    none: the grader did not run)."""
    try:
        with open(path) as f:
            grade = json.load(f)
        tests = [t for t in grade["tests"] if not t.get("regression")]
    except (OSError, ValueError, KeyError, TypeError):
        return {"version": 1, "status": "error", "max_score": 0,
                "tests": [{"name": "make grade", "status": "error", "score": 0,
                           "message": "the grader wrote no readable %s: see the log of "
                                      "the 'Grade' step" % path}]}
    out = [{"name": "lab%d/%s" % (t["lab"], t["name"]), "status": "pass" if t["passed"] else "fail",
            "score": t["points"], "line_no": 0, "execution_time": "%.1fs" % t.get("duration", 0),
            "message": t.get("reason") or ""} for t in tests]
    return {"version": 1, "status": "pass" if all(t["passed"] for t in tests) else "fail",
            "max_score": sum(t["max"] for t in tests), "tests": out}


def local(tree):
    """Runs the workflow's run: steps in tree as GitHub's runner would;
    returns (problem or None, the reporter's object)."""
    path = os.path.join(tree, ".github", "workflows", "classroom.yml")
    try:
        with open(path) as f:
            wf = load(f.read())
        steps = wf["jobs"]["run-autograding-tests"]["steps"]
    except (OSError, YamlError, KeyError, TypeError) as e:
        return "%s: %s" % (path, e), None
    fd, output = tempfile.mkstemp(prefix="l4lab-github-output-")
    os.close(fd)
    env = dict(os.environ, GITHUB_OUTPUT=output, GITHUB_WORKSPACE=tree, CI="true")
    try:
        for step in steps:
            if "run" not in step:
                continue
            script = step["run"]
            # The runner's user needs sudo for apt-get; here tools/deps only
            # checks (everything make test needs is installed), as any user.
            script = re.sub(r"(?m)^sudo ", "", script)
            step_env = dict(env, **{k: v for k, v in step.get("env", {}).items()
                                    if "${{" not in v})
            p = subprocess.run(["bash", "-e", "-c", script], cwd=tree, env=step_env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace")
            if p.returncode != 0:
                return "step %r ended with status %d: %s" % (
                    step.get("name"), p.returncode, p.stdout.strip()[-500:]), None
        with open(output) as f:
            values = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
    finally:
        os.unlink(output)
    if "result" not in values:
        return "no step wrote result= to $GITHUB_OUTPUT", None
    reporter = [s for s in steps if s.get("uses") == REPORTER]
    if not reporter or reporter[0].get("with", {}).get("runners") != RUNNER or \
            "steps.%s.outputs.result" % RUNNER not in \
            reporter[0].get("env", {}).get("%s_RESULTS" % RUNNER.upper(), ""):
        return "the reporter step does not read the grading step's result", None
    try:
        return None, json.loads(base64.b64decode(values["result"]))
    except ValueError as e:
        return "result= is not base64 of JSON: %s" % e, None


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "report":
        r = report(sys.argv[2] if len(sys.argv) > 2 else "build/grade.json")
        print("result=" + base64.b64encode(json.dumps(r).encode()).decode())
        sys.stderr.write("Points %d/%d\n" % (sum(t["score"] for t in r["tests"]), r["max_score"]))
    elif len(sys.argv) == 3 and sys.argv[1] == "local":
        problem, r = local(os.path.abspath(sys.argv[2]))
        if problem:
            sys.exit("classroom: " + problem)
        print("Points %d/%d" % (sum(t["score"] for t in r["tests"]), r["max_score"]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
