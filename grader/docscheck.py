#!/usr/bin/env python3
"""Checks every figure the handouts quote against grader/figures.json.

A quoted figure carries a marker that Markdown renders invisibly, right
after the number (or after the `**` that closes it):

    the reference round trip is **1100<!--fig:ipc.rtt.same_space--> instructions**
    only 22<!--fig:ipc.rtt.inter_space-ipc.rtt.same_space--> instructions more
    2170 / 1122 = 1.93<!--fig:pf.user_pager/ipc.rtt.inter_space-->
    about 550<!--fig:round(ipc.rtt.same_space/2,-1)--> instructions

After `fig:` comes an expression: figure names (a benchmark's, like
ipc.rtt.same_space, or a GDB count's, like trace.ipc.same_space), numbers,
+ - * / and parentheses, and round(x, n) (half up; n < 0 rounds to tens,
hundreds...).  The quoted number may have thousands separators (366,526);
its decimals say how the value is rounded (1.93: two decimals, half up).

A fenced block of `make bench` output or BENCH lines is checked whole when
the line before its fence is <!--fig:table-->: each row of a benchmark must
show the reference figure (in the first column too when that column is a
SOLUTION=N), each BENCH line its value, unit and runs, and the reference
line the provenance that make bench prints (but for its date and commit).

Scans README.md, docs/*.md and labs/*/*.md (each handout and its companions).  Prints one line per
wrong quote, like
  labs/lab1-ipc/README.md:123: quotes 1118 for ipc.rtt.same_space, the reference figure is 1100
and exits 1 if there is any.  --list prints the markers found in each file;
--update rewrites every quoted figure to the reference value (read the
sentences around the changed numbers afterwards: git diff).
"""

import argparse
import ast
import decimal
import glob
import operator
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
INLINE_RE = re.compile(r"(?<![\w.,])" + NUMBER + r"(\*\*)?<!--fig:(.*?)-->")
MARKER_RE = re.compile(r"<!--fig:(.*?)-->")
CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+|round")
BENCH_LINE_RE = re.compile(r"^BENCH (\S+) value=(\d+) unit=(\S+) runs=(\d+)$")
ROW_RE = re.compile(r"^(\S+)\s+(-|\d+)\s+(?:(instructions|cycles)\s+)?(-|\d+)\s{3}")
HEADER_RE = re.compile(r"^name\s+(\S+)\s+unit\s+reference\s+paper")
OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
       ast.Div: operator.truediv}


def documents(top=TOP):
    paths = [os.path.join(top, "README.md")] + sorted(glob.glob(os.path.join(top, "docs", "*.md")))
    paths += sorted(glob.glob(os.path.join(top, "labs", "*", "*.md")))
    return [p for p in paths if os.path.isfile(p)]


def known_figures(data):
    """Name -> value: the benchmarks, the GDB counts as trace.NAME, and the
    native Linux figures (make bench-native) as native.NAME."""
    vals = {n: decimal.Decimal(b["value"]) for n, b in data.get("benchmarks", {}).items()}
    vals.update({"trace." + n: decimal.Decimal(v) for n, v in data.get("traces", {}).items()})
    vals.update({"native." + n: decimal.Decimal(v)
                 for n, v in data.get("native", {}).get("benchmarks", {}).items()})
    return vals


def half_up(x, places):
    return x.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


def evaluate(expr, vals):
    """The value of a marker's expression; ValueError naming what is wrong."""
    names = []

    def sub(m):
        if m.group(0) == "round":
            return "round"
        if m.group(0) not in vals:
            raise ValueError("names %s, which is not a figure in grader/figures.json" % m.group(0))
        names.append(vals[m.group(0)])
        return "_%d" % (len(names) - 1)
    try:
        tree = ast.parse(NAME_RE.sub(sub, expr.strip()), mode="eval")
    except SyntaxError:
        raise ValueError("has an expression that does not parse: %r" % expr)

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            return OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return decimal.Decimal(str(node.value))
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return names[int(node.id[1:])]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "round" and 1 <= len(node.args) <= 2):
            places = int(ev(node.args[1])) if len(node.args) == 2 else 0
            return half_up(ev(node.args[0]), places) if places >= 0 else \
                half_up(ev(node.args[0]).scaleb(places), 0).scaleb(-places)
        raise ValueError("has an expression with something other than figures, numbers, "
                         "+ - * / ( ) and round(): %r" % expr)
    with decimal.localcontext() as ctx:
        ctx.prec = 30
        return ev(tree)


def show(value):
    """A value as the text would print it."""
    return "{:f}".format(value.normalize()) if value == value.to_integral() else str(value)


def check_inline(line, vals):
    """(problems, number of markers) of one line outside code blocks.  A
    marker in an inline code span is shown, not hidden: an example, not checked."""
    line = CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)
    problems, count = [], 0
    quoted_at = set()
    for m in INLINE_RE.finditer(line):
        count += 1
        quoted_at.add(m.start(4) - len("<!--fig:"))
        whole, frac, expr = m.group(1), m.group(2) or "", m.group(4).strip()
        quoted = decimal.Decimal(whole.replace(",", "") + frac)
        try:
            value = evaluate(expr, vals)
        except ValueError as e:
            problems.append("the marker after %s %s" % (whole + frac, e))
            continue
        places = len(frac) - 1 if frac else 0
        if half_up(value, places) != quoted:
            simple = expr in vals
            problems.append("quotes %s for %s, %s %s" % (
                whole + frac, expr, "the reference figure is" if simple else
                "which the reference figures make", show(half_up(value, places))
                if not simple else show(value)))
    for m in MARKER_RE.finditer(line):
        if m.start() not in quoted_at and m.group(1).strip() != "table":
            count += 1
            problems.append("has a marker <!--fig:%s--> with no number right before it"
                            % m.group(1))
    return problems, count


def formatted(value, like):
    """value written as the quote `like` was: its decimals, and thousands
    separators if it had them."""
    frac = like.split(".")[1] if "." in like else ""
    text = "{:,.{p}f}".format(half_up(value, len(frac)), p=len(frac))
    return text if "," in like else text.replace(",", "")


def update_inline(line, vals):
    """The line with every quoted figure rewritten to the reference value."""
    spans = [m.span() for m in CODE_SPAN_RE.finditer(line)]
    out, last = [], 0
    for m in INLINE_RE.finditer(line):
        if any(a <= m.start() < b for a, b in spans):
            continue
        try:
            value = evaluate(m.group(4).strip(), vals)
        except ValueError:
            continue
        out.append(line[last:m.start(1)])
        out.append(formatted(value, m.group(1) + (m.group(2) or "")))
        last = m.end(2) if m.group(2) else m.end(1)
    return "".join(out) + line[last:]


def replace_keep_width(line, old, new, start=0):
    """Replaces the token old (first at or after start) by new, taking or
    giving spaces after it so that the columns to its right stay put."""
    k = line.index(old, start)
    rest = line[k + len(old):]
    grow = len(new) - len(old)
    if grow > 0 and rest.startswith(" " * (grow + 1)):
        rest = rest[grow:]
    elif grow < 0:
        rest = " " * -grow + rest
    return line[:k] + new + rest


def update_block(lines, data):
    """The lines of a fig:table block with every figure rewritten."""
    benches, out = data.get("benchmarks", {}), []
    yours_is_reference = False
    for line in lines:
        h = HEADER_RE.match(line)
        if h:
            yours_is_reference = h.group(1).startswith("SOLUTION=")
        elif line.startswith("reference: "):
            line = figures.provenance(data)
        elif BENCH_LINE_RE.match(line) and BENCH_LINE_RE.match(line).group(1) in benches:
            ref = benches[BENCH_LINE_RE.match(line).group(1)]
            line = "BENCH %s value=%s unit=%s runs=%s" % (BENCH_LINE_RE.match(line).group(1),
                                                           ref["value"], ref["unit"], ref["runs"])
        elif ROW_RE.match(line) and ROW_RE.match(line).group(1) in benches:
            r = ROW_RE.match(line)
            ref = str(benches[r.group(1)]["value"])
            if yours_is_reference and r.group(2) != ref:
                line = replace_keep_width(line, r.group(2), ref, r.start(2))
                r = ROW_RE.match(line)
            if r.group(4) != ref:
                line = replace_keep_width(line, r.group(4), ref, r.start(4))
        out.append(line)
    return out


def update_file(path, data, vals):
    """Rewrites the figures a file quotes; True if anything changed."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(stripped[:3]):
                j += 1
            body = lines[i + 1:j]
            if i > 0 and lines[i - 1].strip() == "<!--fig:table-->":
                body = update_block(body, data)
            out += [line] + body + lines[j:j + 1]
            i = j + 1
            continue
        out.append(update_inline(line, vals))
        i += 1
    new = "\n".join(out)
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    return new != text


def mask(provenance):
    """The reference line without its date and commit, which change with
    every make figures even when no figure does."""
    return re.sub(r" on \S+ (\(.*\)) at \S+$", r" on DATE \1 at COMMIT", provenance)


def check_block(lines, data, vals):
    """(problems as (offset, text), rows checked) of a fenced block marked fig:table."""
    problems, rows = [], 0
    yours_is_reference = False
    benches = data.get("benchmarks", {})
    for i, line in enumerate(lines):
        h = HEADER_RE.match(line)
        if h:
            yours_is_reference = h.group(1).startswith("SOLUTION=")
            continue
        if line.startswith("reference: "):
            rows += 1
            want = figures.provenance(data)
            if mask(line.rstrip()) != mask(want):
                problems.append((i, "quotes the line %r, make bench now prints %r" % (line, want)))
            continue
        b = BENCH_LINE_RE.match(line)
        if b and b.group(1) in benches:
            rows += 1
            ref = benches[b.group(1)]
            for field, got in (("value", b.group(2)), ("unit", b.group(3)), ("runs", b.group(4))):
                if got != str(ref[field]):
                    problems.append((i, "quotes %s=%s for %s, the reference figure's is %s" %
                                     (field, got, b.group(1), ref[field])))
            continue
        r = ROW_RE.match(line)
        if r and r.group(1) in benches:
            rows += 1
            ref = str(benches[r.group(1)]["value"])
            cols = [(yours_is_reference, r.group(2), "first"), (True, r.group(4), "reference")]
            wrong = [(got, col) for checked, got, col in cols if checked and got != ref]
            if wrong:
                problems.append((i, "quotes %s for %s (%s column%s), the reference figure is %s" % (
                    " and ".join(dict.fromkeys(g for g, _ in wrong)), r.group(1),
                    " and ".join(c for _, c in wrong), "s" if len(wrong) > 1 else "", ref)))
        elif r and "." in r.group(1):
            problems.append((i, "has a row for %s, which is not a figure in grader/figures.json"
                             % r.group(1)))
    return problems, rows


def check_file(path, data, vals):
    """(problems as "path:line: text", markers and table rows checked)."""
    rel = os.path.relpath(path, TOP)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    problems, count = [], 0
    fence = None            # the fence that opened the code block we are in
    block, block_start, marked = [], 0, False
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                if marked:
                    ps, rows = check_block(block, data, vals)
                    count += rows
                    problems += ["%s:%d: %s" % (rel, block_start + 1 + i, t) for i, t in ps]
                fence = None
            else:
                block.append(line)
            continue
        if stripped.startswith("```") or stripped.startswith("~~~"):
            fence = stripped[:3]
            block, block_start = [], n
            marked = n > 1 and lines[n - 2].strip() == "<!--fig:table-->"
            continue
        ps, c = check_inline(line, vals)
        count += c + (stripped == "<!--fig:table-->")
        problems += ["%s:%d: %s" % (rel, n, p) for p in ps]
    return problems, count


def run(top=TOP, data=None, listing=False):
    """(ok, output lines); make test calls it."""
    data = figures.load() if data is None else data
    vals = known_figures(data)
    out, bad = [], 0
    for path in documents(top):
        problems, count = check_file(path, data, vals)
        bad += len(problems)
        out += problems
        if listing and count:
            out.append("%s: %d quoted figures checked" % (os.path.relpath(path, TOP), count))
    if not data.get("benchmarks"):
        out.append("grader/figures.json is missing or has no benchmarks: run make figures")
        bad += 1
    return bad == 0, out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="also count the markers of each file")
    ap.add_argument("--figures", help="another figures file (default: grader/figures.json)")
    ap.add_argument("--update", action="store_true",
                    help="rewrite every quoted figure to the reference value (then read the "
                         "sentences around the changed numbers: git diff)")
    a = ap.parse_args()
    if a.update:
        data = figures.load(a.figures) if a.figures else figures.load()
        for path in documents():
            if update_file(path, data, known_figures(data)):
                print("updated " + os.path.relpath(path, TOP))
    ok, out = run(data=figures.load(a.figures) if a.figures else None, listing=a.list)
    for line in out:
        print(line)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
