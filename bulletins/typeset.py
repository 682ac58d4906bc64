"""python bulletins/typeset.py < request > answer: one part of an issue's PDF, typeset by Typst.

Started by bulletins.pdf, by its path, in a process of its own for every part: no Django here (the
process stays small), and Typst's memo cache — process-wide, holding every laid-out cell, and never
emptied by the Python binding — ends with the process, so the parts of a province's issue never add up.

Request on stdin, JSON: {"template": the .typ file, "fonts": [font folders], "issue": the part as JSON text}.
Answer on stdout: one line of JSON, {"pages": [how many items began before each page]}, then the PDF.
A Typst error or warning goes to stderr and the exit status is 1.
"""

import json
import os
import sys


def typeset(request):
    """(PDF bytes, items begun before each page) of one part."""
    import typst

    compiler = typst.Compiler(
        request["template"],
        root=os.path.dirname(request["template"]),
        font_paths=request["fonts"],
        ignore_system_fonts=True,  # the fonts named, not whatever else the server has
        sys_inputs={"issue": request["issue"]},
    )
    # No tagged PDF: as the printed bulletin, and a tag per cell would make a province's file ten times larger.
    content, warnings = compiler.compile_with_warnings(pdf_tags=False)
    if warnings:  # a font not found is only a warning to Typst (it falls back to one without Chinese): not here
        raise ValueError("; ".join(str(w) for w in warnings))
    pages = json.loads(compiler.query("<kc-page>", field="value"))
    return content, pages


def main():
    try:
        content, pages = typeset(json.load(sys.stdin))
    except Exception as error:  # typst.TypstError and a bad request alike: the parent reports stderr
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    out = sys.stdout.buffer
    out.write(json.dumps({"pages": pages}).encode() + b"\n")
    out.write(content)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
