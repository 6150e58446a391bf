#!/usr/bin/env python3
"""Every external command the tests, demo, fuzz runner, hw test and bench
call must come from a Debian package that `make deps` installs.

    tests/deps/check.py [--list]        (from the top of the tree)

Scans the shell scripts (tests/**/*.sh, bench/**/*.sh, .ci/run, the recipe
blocks of docs/PROTOCOL.md that t_recipe.sh runs, the Makefile's recipes)
for the words in command position -- after ;, |, &&, ||, (, $(, `, a
keyword, or a wrapper such as check, wait_for, timeout, xargs -- and the
Python they run (and tests/tools/*.py, tests/browser/*.py, bench/**/*.py) for its imports and subprocesses.  Each command must be a shell builtin or
keyword, a function defined in the scanned files, a variable or path (the
project's own binaries), or listed in tests/deps/tools.txt with its Debian
package; each package there must be in the Makefile's DEB_PKGS,
HW_PKGS, BENCH_PKGS or PKG_PKGS, or Essential in Debian 12 (on every installation).  Python
modules must be in the standard library or listed as "python3:MODULE
PACKAGE".  Exit 1 with the offenders
named, so a new tool cannot slip in without its package.
"""
import glob, os, re, sys

ESSENTIAL = {  # Debian 12 packages with Essential: yes, and apt (the installer itself)
    "apt",
    "base-files", "base-passwd", "bash", "bsdutils", "coreutils", "dash", "debconf",
    "debianutils", "diffutils", "dpkg", "findutils", "grep", "gzip", "hostname",
    "init-system-helpers", "libc-bin", "login", "ncurses-base", "ncurses-bin", "perl-base",
    "sed", "sysvinit-utils", "tar", "util-linux",
}
BUILTINS = set("""
. : [ [[ ]] alias bg bind break builtin caller cd command compgen complete compopt continue
declare dirs disown echo enable eval exec exit export false fc fg getopts hash help history
jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set
shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait
""".split())
KEYWORDS = set("if then else elif fi case esac for select while until do done in function time ! { } coproc".split())
# wrappers: how many arguments follow before the wrapped command
WRAPPERS = {"check": 1, "wait_for": 1, "timeout": 1, "exec": 0, "command": 0, "nice": 0,
            "env": 0, "nohup": 0, "setsid": 0, "stdbuf": 0, "expect_rc": 2, "sudo": 0}

def read_table(path):
    t = {}
    for n, l in enumerate(open(path), 1):
        l = l.split("#", 1)[0].split()
        if not l:
            continue
        if len(l) != 2:
            sys.exit("%s:%d: want COMMAND PACKAGE" % (path, n))
        t[l[0]] = l[1]
    return t

def make_var(name):
    text = open("Makefile").read().replace("\\\n", " ")
    m = re.search(r"^%s\s*[:?]?=(.*)$" % name, text, re.M)
    return set(m.group(1).split()) if m else set()

def join_lines(text):
    return text.replace("\\\n", " ")

HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")

def split_heredocs(text):
    """Shell text without heredoc bodies, and the bodies with the line that fed them."""
    out, bodies, lines, i = [], [], text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        m = HEREDOC.search(line) if "#" not in line.split("<<")[0] else None
        i += 1
        if m:
            body = []
            while i < len(lines) and lines[i].strip() != m.group(2):
                body.append(lines[i]); i += 1
            i += 1
            bodies.append((line, "\n".join(body)))
    return "\n".join(out), bodies

def strip_comments(text):
    """Drop # comments (quote-aware across lines)."""
    out, q, i = [], None, 0
    while i < len(text):
        c = text[i]
        if q:
            if c == "\\" and q == '"':
                out.append(text[i:i + 2]); i += 2; continue
            if c == q:
                q = None
        elif c in "'\"":
            q = c
        elif c == "\\":
            out.append(text[i:i + 2]); i += 2; continue
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n;|&(") and text[i - 1:i] != "$":
            j = text.find("\n", i)
            i = len(text) if j < 0 else j
            continue
        out.append(c); i += 1
    return "".join(out)

def strip_comment(line):
    return strip_comments(line)

def matching(text, i, open_, close):
    """Index after the bracket that closes the one at i (quote-aware)."""
    depth, q, j = 0, None, i
    while j < len(text):
        c = text[j]
        if q:
            if c == "\\" and q == '"':
                j += 1
            elif c == q:
                q = None
        elif c in "'\"":
            q = c
        elif c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return len(text)

def scan(text):
    """Simple commands of text (split on ; | & ( ) { } ` and newlines outside
    quotes), with case patterns and (( )) arithmetic left out, and the
    command substitutions found on the way."""
    parts, subs, cur, q, i = [], [], "", None, 0
    case_depth, want_pattern = 0, False
    def emit():
        nonlocal cur, case_depth, want_pattern
        w = words(cur.strip())
        while w and w[0] in ("!", "then", "do", "else", "elif", "if", "while", "until", "{", "}"):
            w = w[1:]
        if w and w[0] == "case":
            case_depth += 1; want_pattern = True
        elif w and w[0] == "esac":
            case_depth = max(0, case_depth - 1)
        parts.append(cur); cur = ""
    while i < len(text):
        c = text[i]
        if q == '"' and (text.startswith("$(", i) or text.startswith("${", i) or c == "`"):
            pass                                     # substitutions run inside "..." too
        elif q:
            cur += c
            if c == "\\" and q == '"' and i + 1 < len(text):
                cur += text[i + 1]; i += 1
            elif c == q:
                q = None
            i += 1; continue
        if want_pattern and c not in " \t\n;":
            if text.startswith("esac", i):
                want_pattern = False; continue
            j = i
            while j < len(text) and text[j] != ")":   # the pattern, up to its )
                if text[j] in "'\"":
                    j = text.find(text[j], j + 1)
                    if j < 0:
                        j = len(text)
                j += 1
            i = j + 1; want_pattern = False; continue
        if c in "'\"":
            q = c; cur += c
        elif c == "\\":
            cur += text[i:i + 2]; i += 2; continue
        elif text.startswith("${", i):              # parameter expansion: one word
            j = matching(text, i + 1, "{", "}")
            dflt = text[i + 2:j - 1].partition("-")[2]    # ${X:-$(cmd)} runs cmd
            if "$(" in dflt or "`" in dflt:
                subs.append(dflt)
            cur += "VAR"; i = j; continue
        elif c == "(" and cur.endswith("="):         # array assignment
            j = matching(text, i, "(", ")"); cur += text[i:j]; i = j; continue
        elif text.startswith("$((", i) or text.startswith("((", i):
            i = matching(text, i + (1 if c == "$" else 0), "(", ")"); cur += " 0 "; continue
        elif text.startswith("$(", i) or (c == "(" and text[i - 1:i] in ("<", ">")):
            j = matching(text, i + (1 if c == "$" else 0), "(", ")")
            subs.append(text[i + (2 if c == "$" else 1):j - 1]); cur += " SUB "; i = j; continue
        elif c == "`":
            j = text.find("`", i + 1)
            j = len(text) if j < 0 else j
            subs.append(text[i + 1:j]); cur += " SUB "; i = j + 1; continue
        elif text.startswith(";;", i):
            emit(); i += 2
            if text.startswith("&", i):
                i += 1
            if case_depth:
                want_pattern = True
            continue
        elif c in ";|&(){}\n":
            emit()
        else:
            cur += c
            if c in " \t" and re.match(r"^\s*case\s+\S+\s+in\s$", cur):
                cur = ""; case_depth += 1; want_pattern = True
        i += 1
    emit()
    for part in parts:
        for m in re.finditer(r"\b(?:bash|sh) -c (['\"])(.*?)(?<!\\)\1", part, re.S):
            subs.append(m.group(2).replace('\\"', '"').replace("\\$", "$"))
    return parts, subs

def words(cmd):
    """Rough words of a simple command: quotes kept, split on blanks."""
    out, cur, q = [], "", None
    for c in cmd:
        if q:
            cur += c
            if c == q:
                q = None
        elif c in "'\"":
            q = c; cur += c
        elif c in " \t\n":
            if cur:
                out.append(cur); cur = ""
        else:
            cur += c
    if cur:
        out.append(cur)
    return out

def command_words(part):
    found = []
    w = words(part.strip())
    while w:
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=", w[0]):
            w = w[1:]                      # assignment
            continue
        if re.match(r"^(\d*|&)[<>]", w[0]):     # redirection, and its target
            w = w[1:] if re.match(r"^(\d*|&)[<>]+&?\S", w[0]) else w[2:]
            continue
        if w[0] in ("for", "select", "case", "function"):
            return found
        if w[0] in KEYWORDS:
            w = w[1:]; continue
        break
    while w:
        cmd = w[0]
        found.append(cmd)
        if cmd == "xargs":
            w = [x for x in w[1:] if not x.startswith("-")]
            continue
        if cmd == "ip" and w[1:3] == ["netns", "exec"]:
            w = w[4:]; continue
        if cmd in WRAPPERS:
            w = w[1 + WRAPPERS[cmd]:]
            while w and w[0].startswith("-"):
                w = w[1:]
            continue
        break
    return found

def shell_commands(text):
    body, heredocs = split_heredocs(join_lines(text))
    body = strip_comments(body)
    cmds, funcs, py = [], set(), []
    funcs |= set(re.findall(r"(?m)^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)", body))
    todo = [body]
    while todo:
        parts, subs = scan(todo.pop())
        for part in parts:
            cmds += command_words(part)
        todo += subs
    for m in re.finditer(r"python3\s+-c\s+(['\"])(.*?)(?<!\\)\1", body, re.S):
        py.append(m.group(2))
    for feeder, hbody in heredocs:
        if re.search(r"\bpython3\b", feeder):
            py.append(hbody)
        elif re.search(r"\b(bash|sh)\b", feeder.split("<<")[0]):
            c, f, p = shell_commands(hbody)
            cmds += c; funcs |= f; py += p
    for p in py:
        for m in re.finditer(r"subprocess\.\w+\(\s*\[\s*['\"]([^'\"]+)['\"]", p):
            cmds.append(m.group(1))
    return cmds, funcs, py

def py_imports(code):
    mods = set()
    for m in re.finditer(r"(?:^|[;\n])\s*import\s+([\w., ]+)", code):
        mods |= {x.split()[0].split(".")[0] for x in m.group(1).split(",") if x.strip()}   # "a.b as c"
    for m in re.finditer(r"(?:^|[;\n])\s*from\s+([\w.]+)\s+import", code):
        mods.add(m.group(1).split(".")[0])
    return mods

def sources():
    files = sorted(set(glob.glob("tests/**/*.sh", recursive=True) +
                       glob.glob("bench/**/*.sh", recursive=True) + [".ci/run"]))
    out = [(f, open(f).read()) for f in files if os.path.exists(f)]
    # the recipe blocks of docs/PROTOCOL.md that t_recipe.sh runs
    doc = open("docs/PROTOCOL.md").read()
    for i, blk in enumerate(re.findall(r"```sh\n(.*?)```", doc, re.S)):
        out.append(("docs/PROTOCOL.md (sh block %d)" % (i + 1), blk))
    # the Makefile's recipe lines
    mk = "\n".join(l[1:] for l in join_lines(open("Makefile").read()).split("\n")
                   if l.startswith("\t"))
    mk = mk.replace("$$", "\0").replace("$(Q)", "")   # $(Q): @ unless V=1
    while re.search(r"\$\([^()]*\)", mk):          # make variables and functions
        mk = re.sub(r"\$\([^()]*\)", "X", mk)
    mk = mk.replace("\0", "$")
    out.append(("Makefile", "\n".join(l.lstrip("@-") for l in mk.split("\n"))))
    return out

def main():
    table = read_table("tests/deps/tools.txt")
    allowed = (make_var("DEB_PKGS") | make_var("HW_PKGS") | make_var("BENCH_PKGS") |
               make_var("PKG_PKGS") | ESSENTIAL)
    used, funcs, mods = {}, set(), {}
    pyfiles = sorted(glob.glob("tests/tools/*.py") + glob.glob("tests/browser/*.py") +
                     glob.glob("bench/**/*.py", recursive=True))
    for name, text in sources() + [(f, "python3 <<'PY'\n%s\nPY\n" % open(f).read()) for f in pyfiles]:
        c, f, py = shell_commands(text)
        funcs |= f
        for x in c:
            used.setdefault(x, name)
        for p in py:
            for m in py_imports(p):
                mods.setdefault(m, name)
    bad = []
    for cmd, where in sorted(used.items()):
        if (cmd in BUILTINS or cmd in KEYWORDS or cmd in funcs or "/" in cmd or cmd in ("SUB", "X", "VAR") or
                not re.match(r"^[A-Za-z][A-Za-z0-9_.+-]*$", cmd)):
            continue
        if cmd not in table:
            bad.append("%s: command %s is not in tests/deps/tools.txt" % (where, cmd))
    for cmd, pkg in sorted(table.items()):
        if pkg not in allowed and pkg != "optional":
            bad.append("tests/deps/tools.txt: %s comes from %s, which make deps does not "
                       "install (add it to DEB_PKGS)" % (cmd, pkg))
    std = set(getattr(sys, "stdlib_module_names", ()))
    for m, where in sorted(mods.items()):
        if std and m not in std and "python3:" + m not in table:
            bad.append("%s: python module %s is neither in the standard library nor in "
                       "tests/deps/tools.txt (python3:%s PACKAGE)" % (where, m, m))
    if "--list" in sys.argv:
        for cmd in sorted(set(used) & set(table)):
            print("%-20s %s" % (cmd, table[cmd]))
    for b in bad:
        print(b)
    if bad:
        return 1
    print("deps: %d commands, %d python modules, all from packages make deps installs"
          % (len(set(used) & set(table)), len(mods)))
    return 0

if __name__ == "__main__":
    sys.exit(main())
