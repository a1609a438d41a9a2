/**
 * The shared rule for typed text (src/text-input.ts), which every name, label, title and
 * comment goes through, in the domain core and at the GraphQL boundary alike.
 */
import { InvalidInputError } from '../../src/domain-error.ts';
import { requireText, textLength, textProblem } from '../../src/text-input.ts';

describe('the text rule', () => {
  it('trims and returns clean text in any script', () => {
    expect(requireText('  阳光花园 🌻 Ωμέγα  ', 'name', { maxLength: 20 })).toBe('阳光花园 🌻 Ωμέγα');
  });

  it('names the parameter when it refuses', () => {
    expect(() => requireText('a\u0000b', 'title', { maxLength: 20 })).toThrow(InvalidInputError);
    expect(() => requireText('a\u0000b', 'title', { maxLength: 20 })).toThrow(/^Invalid title: /u);
  });

  it.each([
    ['NUL', '\u0000'], ['a tab', '\t'], ['a line feed', '\n'], ['a carriage return', '\r'], ['DEL', '\u007f'],
    ['a C1 control', '\u009b'], ['a left-to-right embedding', '\u202a'], ['a first-strong isolate', '\u2068'], ['an unpaired surrogate', '\udc00'],
  ])('refuses %s in single-line text', (_label, character) => {
    expect(textProblem(`left${character}right`, { maxLength: 50 })).not.toBeNull();
  });

  it('lets multi-line text hold line feeds and tabs, and nothing else of the controls', () => {
    expect(textProblem('first line\n\tsecond line', { maxLength: 50, multiline: true })).toBeNull();
    expect(textProblem('first line\r\nsecond line', { maxLength: 50, multiline: true })).not.toBeNull();
    expect(textProblem('bell\u0007', { maxLength: 50, multiline: true })).not.toBeNull();
  });

  it('holds the length limits at their boundaries, after trimming', () => {
    expect(textProblem('x'.repeat(10), { maxLength: 10 })).toBeNull();
    expect(textProblem(' x'.repeat(1).padEnd(12, ' '), { maxLength: 10 })).toBeNull();
    expect(textProblem('x'.repeat(11), { maxLength: 10 })).toBe('must be 1–10 characters');
    expect(textProblem('   ', { maxLength: 10 })).toBe('must be 1–10 characters');
    expect(textProblem('', { maxLength: 10, minLength: 0 })).toBeNull();
  });

  it('normalises to NFC, so one name typed two ways is stored as one', () => {
    const decomposed = 'Ame\u0301lie Zo\u0308e';
    expect(requireText(decomposed, 'name', { maxLength: 20 })).toBe(requireText('Am\u00e9lie Z\u00f6e', 'name', { maxLength: 20 }));
    expect(requireText(decomposed, 'name', { maxLength: 20 }).normalize('NFC')).toBe(requireText(decomposed, 'name', { maxLength: 20 }));
  });

  it('counts lengths in code points of the normalised text, as PostgreSQL varchar does', () => {
    expect(textLength('🌻🌻')).toBe(2);
    expect(textProblem('🌻'.repeat(10), { maxLength: 10 })).toBeNull();
    expect(textProblem('🌻'.repeat(11), { maxLength: 10 })).toBe('must be 1–10 characters');
    // Five decomposed é are ten code points as sent and five once normalised.
    expect(textProblem('e\u0301'.repeat(5), { maxLength: 5 })).toBeNull();
  });

  it('refuses a lone surrogate rather than replacing it, wherever it stands', () => {
    for (const value of ['\ud800', 'a\udfffb', '🌻\ud83c']) {
      expect(() => requireText(value, 'label', { maxLength: 20 })).toThrow(/^Invalid label: must not contain unpaired surrogate/u);
    }
  });
});
