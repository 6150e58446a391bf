#!/usr/bin/env python3
"""The man pages against the code (t_docs.sh).

    tests/tools/docs_check.py keys|ctl|options      (from the top of the tree)

keys: every config section and key the parsers accept appears in its page
    (.It Cm KEY in the page, the section as .Ss [SECTION ...]).  The
    accepted keys are read from the parsers' sources: the kdefs tables
    ({ "section", "key", K_...}), the key-name arrays (key_keys[],
    siren_keys[]) and the strcmp(k|key|name, "...") chains; sections from
    the tables, plain[] and strcmp(section|ps->secname, "...").
ctl: every command of ctl/main.c's table is an entry (.Cm NAME after
    .It Xo, or .It Cm NAME) of cunxiangctl.1, and every long option of
    ctl/ (struct option tables, warnfields.h) is there as "Fl -NAME".
options: every option of cunxiangd and cunxiang-hub (their getopt strings
    and long options) is in their page.
Prints "missing: PAGE: WHAT" for each gap and "N checked" at the end;
exit 1 on a gap, or when the extraction finds suspiciously little (a
changed source layout must not turn the check into a no-op).
"""
import re, sys

PAGES = {  # page: the parser sources whose keys it documents
    "man/cunxiang-node.conf.5": ["common/config.c", "common/config_keys.c", "common/config_selftest.c"],
    "man/cunxiang-hub.conf.5": ["hub/hubconf.c"],
    "man/cunxiang-ctl.conf.5": ["ctl/ctlconf.c"],
}
MIN_KEYS = {"man/cunxiang-node.conf.5": 70, "man/cunxiang-hub.conf.5": 30,
            "man/cunxiang-ctl.conf.5": 15}


def src(path):
    with open(path, encoding="utf-8") as f:
        # comments out: a key named in a comment is not accepted
        return re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)


def page(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def parser_items(paths):
    keys, sections = set(), set()
    for p in paths:
        s = src(p)
        for sec, key in re.findall(r'\{\s*"([a-z]+)",\s*"([a-z_]+)",\s*K_', s):
            sections.add(sec)
            keys.add(key)
        for body in re.findall(r'(?:key_keys|siren_keys)\[\]\s*=\s*\{([^}]*)\}', s):
            keys.update(re.findall(r'"([a-z_]+)"', body))
        keys.update(re.findall(r'strcmp\((?:k|key|name),\s*"([a-z_]+)"\)', s))
        sections.update(re.findall(r'strn?cmp\((?:section|ps->secname),\s*"([a-z]+) ?"', s))
        for body in re.findall(r'\bplain\[\]\s*=\s*\{([^}]*)\}', s):
            sections.update(re.findall(r'"([a-z]+)"', body))
    return keys, sections


def check_keys():
    missing, n = [], 0
    for pg, paths in PAGES.items():
        text = page(pg)
        keys, sections = parser_items(paths)
        if len(keys) < MIN_KEYS[pg]:
            missing.append(f"{pg}: only {len(keys)} keys found in {paths}: extraction broken?")
        for k in sorted(keys):
            n += 1
            if not re.search(rf"^\.It Cm {re.escape(k)}( |$)", text, re.M) and \
               not re.search(rf"^\.Cm {re.escape(k)}$", text, re.M):
                missing.append(f"{pg}: key {k}")
        for sec in sorted(sections):
            n += 1
            if not re.search(rf"^\.Ss \[{re.escape(sec)}[] ]", text, re.M):
                missing.append(f"{pg}: section [{sec}]")
    return missing, n


def ctl_commands():
    return re.findall(r'\{\s*"([a-z-]+)",\s*cmd_', src("ctl/main.c"))


def ctl_longopts():
    opts = set()
    for p in sorted(__import__("glob").glob("ctl/*.[ch]")):
        opts.update(re.findall(r'\{\s*"([a-z][a-z-]*)",\s*(?:no|required|optional)_argument', src(p)))
    return opts


def check_ctl():
    text = page("man/cunxiangctl.1")
    entries = set(re.findall(r"^\.It Xo\n\.Cm ([a-z-]+)", text, re.M))
    entries |= set(re.findall(r"^\.It Cm ([a-z-]+)", text, re.M))
    missing, n = [], 0
    cmds, opts = ctl_commands(), ctl_longopts()
    if len(cmds) < 15 or len(opts) < 40:
        missing.append(f"cunxiangctl.1: {len(cmds)} commands, {len(opts)} options found: "
                       "extraction broken?")
    for c in cmds:
        n += 1
        if c not in entries:
            missing.append(f"man/cunxiangctl.1: command {c}")
    for o in sorted(opts):
        n += 1
        if not re.search(rf"\bFl -{re.escape(o)}\b(?!-)", text):
            missing.append(f"man/cunxiangctl.1: option --{o}")
    return missing, n


def check_options():
    missing, n = [], 0
    for main, pg in (("controller/main.c", "man/cunxiangd.8"), ("hub/main.c", "man/cunxiang-hub.8")):
        s, text = src(main), page(pg)
        m = re.search(r'getopt(?:_long)?\(argc, argv, "([^"]+)"', s)
        shorts = re.sub(r"[^A-Za-z]", "", m.group(1)) if m else ""
        longs = re.findall(r'\{\s*"([a-z][a-z-]*)",\s*(?:no|required|optional)_argument', s)
        if len(shorts) < 5 or len(longs) < 5:
            missing.append(f"{pg}: options of {main} not found: extraction broken?")
        for ch in shorts:
            n += 1
            if not re.search(rf"\bFl {ch}\b|^\.Op Fl [a-zA-Z]*{ch}", text, re.M):
                missing.append(f"{pg}: option -{ch}")
        for o in longs:
            n += 1
            if not re.search(rf"\bFl -{re.escape(o)}\b(?!-)", text):
                missing.append(f"{pg}: option --{o}")
    return missing, n


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    fn = {"keys": check_keys, "ctl": check_ctl, "options": check_options}.get(what)
    if fn is None:
        sys.exit(__doc__)
    missing, n = fn()
    for m in missing:
        print("missing:", m)
    print(f"{n} checked")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
