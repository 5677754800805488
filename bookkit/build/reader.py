"""The reader's notebook: a staged chapter as any Jupyter shows it (the download button,
Colab, Binder), made by bookkit.build.book_sphinx when the site is written.

The page is MyST: glued numbers and figures, theorem boxes, citations, substitutions.
Plain Jupyter shows none of it (a glued figure is stored under a MIME type it does not
render, a role is literal text). The reader's notebook is the same notebook with:

- every glued figure the prose places (``{glue:figure}``) as a plain ``image/png``
  output of the cell that drew it, and its caption where the prose places it, with
  the page's number ("**Fig. 3.** ...");
- every MyST construct turned into plain Markdown: glued numbers written in,
  ``{prf:theorem}`` as a quoted block with a bold title ("**Theorem 2 (Jackson-type
  rate).**"), admonitions (the reproduce box) as quoted blocks, citations as
  "(Li et al., 2021)" with a reference list at the end (bookkit.build.citations),
  ``{numref}``/``{prf:ref}`` as "Fig. 3"/"Theorem 2", ``{doc}`` as a link to the page;
- the book's bookkeeping (bookkit.build.machinery) folded (``source_hidden``), the
  install cell (bookkit.build.install) in view, and no jupytext pairing (Binder's
  jupytext would otherwise read the inputs back from the MyST source).

Rerun in a fresh kernel, its cells draw their figures again (bookkit.claims.glue).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from myst_nb.core.variables import format_plain_text

from bookkit.build import citations
from bookkit.build.install import INSTALL_ID
from bookkit.build.machinery import TAG, tags

FENCE = re.compile(r"^(\s*)(`{3,}|:{3,})\{([\w:.-]+)\}[ \t]*(.*)$")
ROLE = re.compile(r"\{([a-z][\w:.-]*)\}`([^`]*)`")
SUBSTITUTION = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")
MATH = re.compile(r"(?<!\\)\$\$.+?(?<!\\)\$\$|(?<!\\)\$(?:\\.|[^$\\])+?\$", re.S)
TARGET = re.compile(r"^\s*\([\w:.-]+\)=\s*$")
PREFIX = "application/papermill.record/"


@dataclass
class Context:
    """What the conversion reads (glued values, the page's numbers, substitutions, the
    site's address) and gathers (cited keys, placed figures)."""

    glue: dict[str, dict]
    numbers: dict[str, str] = field(default_factory=dict)
    substitutions: dict[str, str] = field(default_factory=dict)
    site: str = ""
    cited: list[str] = field(default_factory=list)
    placed: set[str] = field(default_factory=set)


def glued(nb: dict) -> dict[str, dict]:
    """Every glue of the notebook: name -> mime bundle (prefix stripped)."""
    out = {}
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            sb = o.get("metadata", {}).get("scrapbook")
            if sb:
                p = sb.get("mime_prefix", "")
                out[sb["name"]] = {k[len(p):]: "".join(v) if isinstance(v, list) else v
                                   for k, v in o.get("data", {}).items()}
    return out


def quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip("\n").split("\n"))


def _options(body: list[str]) -> tuple[dict, list[str]]:
    opts = {}
    while body and re.match(r"^\s*:[\w-]+:", body[0]):
        key, _, value = body.pop(0).strip()[1:].partition(":")
        opts[key] = value.strip()
    return opts, body


def _number(ctx: Context, label: str | None, fallback: str) -> str:
    return ctx.numbers.get(label or "", fallback)


def directive(name: str, arg: str, opts: dict, body: str, ctx: Context) -> str:
    """One MyST directive in plain Markdown (``body`` already converted)."""
    if name in ("glue:figure", "glue", "glue:any"):
        data = ctx.glue.get(arg.strip(), {})
        if not any(k.startswith("image/") for k in data):
            return markdown(format_plain_text(data.get("text/plain", ""), ""), ctx)
        ctx.placed.add(arg.strip())
        number = _number(ctx, opts.get("name"), "Figure")
        return f"**{number}.** {body}".strip() if body else ""
    if name.startswith("prf:"):
        kind = name[4:].capitalize()
        title = f"{_number(ctx, opts.get('label'), kind)}" + (f" ({arg})" if arg else "")
        return quote(f"**{title}.** {body}")
    if name == "math":
        return f"$$\n{body}\n$$"
    if name == "bibliography":
        return ""
    if name in ("code-block", "code", "code-cell"):
        return f"```{arg}\n{body}\n```"
    title = arg or name.capitalize()
    return quote(f"**{title}**\n\n{body}")


def directives(text: str, ctx: Context) -> str:
    """Block-level MyST (fenced directives, targets) in plain Markdown."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if not TARGET.match(lines[i]):
                out.append(lines[i])
            i += 1
            continue
        fence = m.group(2)
        close = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = next((k for k in range(i + 1, len(lines)) if close.match(lines[k])), len(lines))
        opts, body = _options(lines[i + 1:j])
        out.append(directive(m.group(3), m.group(4).strip(), opts,
                             markdown("\n".join(body), ctx), ctx))
        i = j + 1
    return "\n".join(out)


def role(name: str, content: str, ctx: Context) -> str:
    """One MyST role in plain Markdown."""
    text, label = content, content
    if m := re.fullmatch(r"(.*?)\s*<([^>]+)>", content, re.S):
        text, label = m.group(1), m.group(2)
    if name.startswith("glue"):
        key, fmt = (content.rsplit(":", 1) + [""])[:2] if name == "glue:text" \
            else (content, "")
        data = ctx.glue[key]
        return format_plain_text(data.get("text/markdown") or data["text/plain"], fmt)
    if name.startswith("cite"):
        keys = [k.strip() for k in content.split(",") if k.strip()]
        ctx.cited += [k for k in keys if k not in ctx.cited]
        return citations.cite(keys, textual=name in ("cite:t", "cite:ts"))
    if name in ("numref", "prf:ref", "ref", "eq"):
        number = ctx.numbers.get(label, label)
        return text.replace("%s", number.split()[-1]) if text != label else number
    if name == "doc":
        page = label.removesuffix(".md").removesuffix(".ipynb")
        return f"[{text}]({ctx.site.rstrip('/')}/book/{page}.html)" if ctx.site else text
    if name == "math":
        return f"${content}$"
    return text


def inline(text: str, ctx: Context) -> str:
    """Roles and substitutions outside math, in plain Markdown."""
    def sub(m):
        if m.group(1) not in ctx.substitutions:
            raise KeyError(f"substitution {{{{ {m.group(1)} }}}} is not defined")
        return markdown(ctx.substitutions[m.group(1)], ctx)
    out, last = [], 0
    for m in MATH.finditer(text):
        plain = text[last:m.start()]
        out += [ROLE.sub(lambda r: role(r.group(1), r.group(2), ctx),
                         SUBSTITUTION.sub(sub, plain)), m.group(0)]
        last = m.end()
    tail = SUBSTITUTION.sub(sub, text[last:])
    return "".join(out) + ROLE.sub(lambda r: role(r.group(1), r.group(2), ctx), tail)


def markdown(text: str, ctx: Context) -> str:
    """MyST Markdown as plain (Jupyter) Markdown."""
    return inline(directives(text, ctx), ctx)


def figure_output(o: dict) -> dict:
    """A glue record of a figure as the plain output Jupyter displays."""
    p = o["metadata"]["scrapbook"].get("mime_prefix", "")
    meta = {k: v for k, v in o["metadata"].items() if k != "scrapbook"}
    return {"output_type": "display_data", "metadata": meta,
            "data": {k[len(p):]: v for k, v in o["data"].items()}}


def code_cell(cell: dict, ctx: Context) -> dict:
    """Placed figures shown; bookkeeping folded."""
    out = []
    for o in cell.get("outputs", []):
        sb = o.get("metadata", {}).get("scrapbook", {})
        out.append(figure_output(o) if sb.get("name") in ctx.placed else o)
    meta, folded = dict(cell.get("metadata", {})), {"hide-input", "remove-input", TAG}
    if folded & set(tags(cell)) or ("remove-cell" in tags(cell) and INSTALL_ID not in tags(cell)):
        meta["jupyter"] = {**meta.get("jupyter", {}), "source_hidden": True}
    return {**cell, "metadata": meta, "outputs": out}


def reader_notebook(nb: dict, numbers: dict[str, str] | None = None,
                    substitutions: dict[str, str] | None = None, site: str = "") -> dict:
    """The reader's notebook of a staged chapter ``nb`` (module doc). ``numbers``: the
    page's label -> "Fig. 3"/"Theorem 2"; ``site``: the published book's address."""
    ctx = Context(glued(nb), numbers or {}, substitutions or {}, site)
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = markdown("".join(cell["source"]), ctx)
    nb["cells"] = [code_cell(c, ctx) if c["cell_type"] == "code" else c for c in nb["cells"]]
    if ctx.cited:
        nb["cells"].append({
            "cell_type": "markdown", "id": "references", "metadata": {},
            "source": "## References\n\n" + "\n".join(
                f"- {citations.reference(k)}" for k in ctx.cited
                if k in citations.entries())})
    nb["metadata"].pop("jupytext", None)
    return nb


__all__ = ["Context", "glued", "markdown", "reader_notebook"]
