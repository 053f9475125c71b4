// Code samples on this site are compiled by docs/test/samples.test.ts. A sample that needs
// set-up the reader does not (declarations of what the text around it already introduced)
// writes it above a `// ---cut---` line, and may write closing lines below a
// `// ---cut-after---` line, as twoslash does. This remark plugin removes those parts from
// the rendered page; the sample check compiles the whole block.

export const CUT = '// ---cut---';
export const CUT_AFTER = '// ---cut-after---';

/** The lines of a code block that the reader sees. */
export function visibleCode(code) {
  const lines = code.split('\n');
  const cut = lines.findIndex((line) => line.trim() === CUT);
  const after = lines.findIndex((line) => line.trim() === CUT_AFTER);
  const start = cut === -1 ? 0 : cut + 1;
  const end = after === -1 ? lines.length : after;
  return lines.slice(start, end).join('\n');
}

function visit(node) {
  if (node.type === 'code' && typeof node.value === 'string') node.value = visibleCode(node.value);
  if (Array.isArray(node.children)) for (const child of node.children) visit(child);
}

export function remarkHiddenLines() {
  return (tree) => visit(tree);
}
