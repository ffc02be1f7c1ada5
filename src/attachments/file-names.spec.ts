import fc from 'fast-check';
import { contentDisposition } from './attachment-http';
import { safeFileName } from './attachment-intake';

describe('file names', () => {
  it('never lets a name reach a header or a path with a quote, a control character or a folder', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (sent) => {
      const name = safeFileName(sent);
      expect(name.length).toBeLessThanOrEqual(200);
      expect(name).not.toMatch(/[\u0000-\u001f\u007f"/\\]/);
      const header = contentDisposition(name || 'bijlage');
      expect(header).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!._~-]*$/);
      expect(header).not.toMatch(/[\r\n]/);
    }));
    expect(safeFileName('C:\\Users\\x\\verzuim.pdf')).toBe('verzuim.pdf');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName(`${'a'.repeat(300)}.pdf`)).toBe(`${'a'.repeat(196)}.pdf`);
  });
});
