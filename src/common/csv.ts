/**
 * Parses delimited text (RFC 4180 quoting: "a;b" and "" for a quote) into rows of fields. Handles CRLF and a
 * byte-order mark. Small on purpose: DUO's files need nothing more.
 */
export function parseDelimited(text: string, delimiter = ';'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

/**
 * One line of a CSV file as Excel in a Dutch locale opens it (semicolons, CRLF): each cell quoted, and a leading =, +,
 * -, @, tab or carriage return made harmless so that a spreadsheet does not run the cell as a formula.
 */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map((value) => `"${(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value).replace(/"/g, '""')}"`).join(';')}\r\n`;
}
