import { AeadBox } from './aead-box';

describe('AeadBox', () => {
  const box = new AeadBox(Buffer.alloc(32, 7), 'test');

  it('opens what it sealed, and gives each seal an IV of its own, also across the pool it cuts them from', () => {
    const sealed = Array.from({ length: 600 }, (_, i) => box.seal(`geheim ${i}`, `rij ${i}`));
    expect(sealed.map((blob, i) => box.open(blob, `rij ${i}`))).toEqual(sealed.map((_, i) => `geheim ${i}`));
    const ivs = new Set(sealed.map((blob) => blob.subarray(0, 12).toString('hex')));
    expect(ivs.size).toBe(600);
    // The same text sealed twice gives two different blobs.
    expect(box.seal('zelfde').equals(box.seal('zelfde'))).toBe(false);
  });

  it('refuses a blob with other associated data, one bit changed, or cut short', () => {
    const blob = box.seal('geheim', 'rij 1');
    expect(() => box.open(blob, 'rij 2')).toThrow();
    const flipped = Buffer.from(blob);
    flipped[flipped.length - 1] ^= 1;
    expect(() => box.open(flipped, 'rij 1')).toThrow();
    expect(() => box.open(blob.subarray(0, 20), 'rij 1')).toThrow('te kort');
  });
});
