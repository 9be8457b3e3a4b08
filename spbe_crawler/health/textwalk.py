"""One walk over a parsed page: visible text, hidden text, and the anchors with their visibility.

The walk is iterative (no recursion limit on hostile nesting) and stops collecting text at a fixed
budget. "Hidden" means what a visitor cannot see although it is in the page: elements styled
``display:none``, ``visibility:hidden``, moved far off-screen, shrunk to ``font-size:0`` or to a
zero box with ``overflow:hidden``, elements with the ``hidden`` attribute, and ``<noscript>``.
Link-spam injected into hacked sites lives there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml.etree import _Element as Element  # what lxml.etree's HTML parser makes (no lxml.html classes)

# Elements whose text is never shown as page text.
SKIP_TAGS = frozenset(
    {"script", "style", "template", "head", "title", "svg", "math", "iframe", "object", "embed", "canvas", "video", "audio"}
)
# Inline formatting elements: their text joins the surrounding words without a separator.
INLINE_TAGS = frozenset(
    {
        "b",
        "i",
        "u",
        "s",
        "em",
        "strong",
        "span",
        "font",
        "small",
        "big",
        "sup",
        "sub",
        "abbr",
        "mark",
        "code",
        "tt",
        "q",
        "cite",
        "dfn",
        "kbd",
        "samp",
        "var",
        "time",
    }
)

_HIDDEN_STYLE = re.compile(
    r"display:none"
    r"|visibility:hidden"
    r"|font-size:0(?:px|pt|em|rem|%)?(?:;|!|$)"
    r"|(?:left|top|right|text-indent|margin-left):-\d{3,6}"
)
_ZERO_BOX = re.compile(r"(?:^|;)(?:height|width|max-height|max-width):0(?:px)?(?:;|!|$)")
_OVERFLOW_HIDDEN = re.compile(r"overflow:hidden")


@dataclass
class WalkResult:
    visible: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    anchors: list[tuple[Element, bool]] = field(default_factory=list)  # (element, is hidden)
    truncated: bool = False


def is_hidden(element: Element) -> bool:
    """Does this element itself hide its content from a visitor?"""
    if element.tag == "noscript" or element.get("hidden") is not None:
        return True
    style = element.get("style")
    if not style:
        return False
    compact = "".join(style.lower().split())[:1000]
    if _HIDDEN_STYLE.search(compact):
        return True
    return bool(_ZERO_BOX.search(compact) and _OVERFLOW_HIDDEN.search(compact))


def walk(root: Element, text_budget: int, anchor_budget: int) -> WalkResult:
    """Collect visible and hidden text (each up to ``text_budget`` characters) and anchors.

    One pass over ``root.iter()`` (document order, elements created once by lxml, no child lists
    built per node). A page whose text reaches the budget is walked again by :func:`walk_reference`,
    which cuts the text where the budget runs out; below the budget both give the same pieces.
    """
    visible: list[str] = []
    hidden_parts: list[str] = []
    anchors: list[tuple[Element, bool]] = []
    inline_tags, skip_tags = INLINE_TAGS, SKIP_TAGS
    # Open elements that have children, innermost last: (element, where its own text goes (None
    # when skipped), is it hidden, is it inline, where its tail goes (its parent's text target)).
    # An element without children is closed as soon as it is opened.
    stack: list[tuple[Element, list[str] | None, bool, bool, list[str] | None]] = []
    parent_node: Element | None = root.getparent()  # the innermost open element (none yet: root's parent)
    parent_out: list[str] | None = visible  # where the text of its children goes
    parent_hidden = False
    for node in root.iter():
        parent = node.getparent()  # the same proxy as the open element's: the stack keeps it alive
        if parent is not parent_node:  # close the finished elements, innermost first
            while True:
                _close_last(stack)
                parent_node, parent_out, parent_hidden = stack[-1][:3]
                if parent_node is parent:
                    break
        tag = node.tag
        if tag.__class__ is not str:  # comment or processing instruction: only its tail is page text
            if parent_out is not None:
                tail = node.tail
                if tail:
                    parent_out.append(tail)
            continue
        own_hidden = parent_hidden or tag == "noscript" or node.get("hidden") is not None
        if not own_hidden and node.get("style"):
            own_hidden = is_hidden(node)
        own_out = None if parent_out is None or tag in skip_tags else hidden_parts if own_hidden else visible
        if (tag == "a" or tag == "area") and len(anchors) < anchor_budget and node.get("href") is not None:
            anchors.append((node, own_hidden))
        inline = tag in inline_tags
        if own_out is not None:
            if not inline:
                own_out.append(" ")
            text = node.text
            if text:
                own_out.append(text)
        if len(node):
            stack.append((node, own_out, own_hidden, inline, parent_out))
            parent_node, parent_out, parent_hidden = node, own_out, own_hidden
        elif parent_out is not None:
            if not inline:
                parent_out.append(" ")
            tail = node.tail
            if tail:
                parent_out.append(tail)
    while stack:
        _close_last(stack)
    if sum(map(len, visible)) >= text_budget or sum(map(len, hidden_parts)) >= text_budget:
        return walk_reference(root, text_budget, anchor_budget)
    return WalkResult(visible, hidden_parts, anchors)


def _close_last(stack: list[tuple[Element, list[str] | None, bool, bool, list[str] | None]]) -> None:
    """Close the innermost open element of :func:`walk`: a block element ends with a space, then
    its tail goes where its parent's text goes."""
    closed, _, _, closed_inline, tail_out = stack.pop()
    if tail_out is not None:
        if not closed_inline:
            tail_out.append(" ")
        tail = closed.tail
        if tail:
            tail_out.append(tail)


def walk_reference(root: Element, text_budget: int, anchor_budget: int) -> WalkResult:
    """The straightforward walk (an explicit stack of open and close entries), with the text budget
    checked piece by piece: :func:`walk` gives the same result, faster, for text below the budget."""
    result = WalkResult()
    sizes = {True: 0, False: 0}  # hidden? -> characters collected
    # Entries: (node, closing, skip, hidden); for an opening entry the flags are the context the
    # node sits in, for a closing entry they are the context its tail belongs to (the parent's).
    stack: list[tuple[Element, bool, bool, bool]] = [(root, False, False, False)]
    while stack:
        node, closing, skip, hidden = stack.pop()
        tag = node.tag if isinstance(node.tag, str) else None
        if closing:
            if tag not in INLINE_TAGS:
                _emit(result, sizes, text_budget, " ", skip, hidden)
            _emit(result, sizes, text_budget, node.tail, skip, hidden)
            continue
        if tag is None:  # comment or processing instruction: only its tail is page text
            _emit(result, sizes, text_budget, node.tail, skip, hidden)
            continue
        own_skip = skip or tag in SKIP_TAGS
        own_hidden = hidden or is_hidden(node)
        if tag in ("a", "area") and node.get("href") is not None and len(result.anchors) < anchor_budget:
            result.anchors.append((node, own_hidden))
        if tag not in INLINE_TAGS:
            _emit(result, sizes, text_budget, " ", own_skip, own_hidden)
        _emit(result, sizes, text_budget, node.text, own_skip, own_hidden)
        stack.append((node, True, skip, hidden))
        stack.extend((child, False, own_skip, own_hidden) for child in reversed(node))
    return result


def _emit(result: WalkResult, sizes: dict[bool, int], budget: int, text: str | None, skip: bool, hidden: bool) -> None:
    if not text or skip:
        return
    if sizes[hidden] >= budget:
        result.truncated = True
        return
    (result.hidden if hidden else result.visible).append(text)
    sizes[hidden] += len(text)


def normalize_space(text: str, limit: int) -> str:
    """Collapse every run of whitespace to one space and cut to ``limit`` characters."""
    return " ".join(text.split())[:limit]
