/**
 * Inline Markdown (CommonMark, with GitHub's tables) for text that is not ours: a capture's file
 * name, a rule's expectation or group name. Written as it is, a backtick in a file name ended its
 * code span early, and a `\|` escaped for tables showed its backslash in a heading.
 */

/**
 * `s` as a code span that shows it exactly: a fence of backticks longer than any run of them in
 * `s`, and a space inside each end when `s` starts or ends with a backtick or a space (CommonMark
 * takes one off each end). Line breaks become spaces. In a table cell `|` is written `\|`: GitHub
 * takes that out of the cell before it reads the code span, and shows `|`. Empty: nothing.
 */
export function codeSpan(s: string, inTable = false): string {
  let text = s.replace(/\r\n|\r|\n/g, ' ');
  if (text === '') return '';
  if (inTable) text = text.replace(/\|/g, '\\|');
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) if (m[0].length > longest) longest = m[0].length;
  const fence = '`'.repeat(longest + 1);
  const pad = text.trim() !== '' && /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * `s` as plain text in a table cell: ASCII punctuation that Markdown reads (emphasis, links, code,
 * HTML, the cell's `|`) escaped with a backslash, line breaks as spaces.
 */
export function tableText(s: string): string {
  return s.replace(/\r\n|\r|\n/g, ' ').replace(/[\\`*_[\]<>|~]/g, '\\$&');
}
