/**
 * The regulator's page: check a compliance bundle file (fee period, election, ledger
 * range, plain ledger export) in the browser, offline. The verifier is the same code as
 * `npm run compliance:verify`, loaded as its own chunk when the page opens; after that,
 * choosing a file sends no request: the file is read on the device and every signature,
 * inclusion and consistency proof, replayed total and Groth16 proof is checked here.
 * Without a log key pasted in, the bundle's own key is trusted, and the page says so.
 */
import { element, section } from './dom.ts';
import type { PortalContext } from './portal-context.ts';

/** A bundle larger than this is refused before parsing (a year of a large community's log is far smaller). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

type Verifier = typeof import('./compliance-check.ts');
let loadingVerifier: Promise<Verifier> | undefined;
const verifier = () => (loadingVerifier ??= import('./compliance-check.ts'));

export function regulatorPage(context: Pick<PortalContext, 't' | 'failure'>): HTMLElement {
  const { t } = context;
  const ready = verifier();
  const file = element('input', { id: 'bundle-file', type: 'file', accept: 'application/json,.json' });
  const key = element('input', { id: 'log-key', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const outcome = element('div', { id: 'bundle-result', 'aria-live': 'polite' });
  const check = async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    outcome.replaceChildren(element('p', {}, t('checking')));
    delete outcome.dataset['valid'];
    if (chosen.size > MAX_BUNDLE_BYTES) throw new Error(`Invalid bundle: larger than ${MAX_BUNDLE_BYTES} bytes`);
    let bundle: unknown;
    try {
      bundle = JSON.parse(await chosen.text());
    } catch {
      throw new Error('Invalid bundle: not JSON');
    }
    const { verifyComplianceBundle } = await ready;
    const trustedKey = key.value.trim() || undefined;
    const result = await verifyComplianceBundle(bundle, trustedKey);
    outcome.dataset['valid'] = String(result.valid);
    outcome.dataset['format'] = result.format;
    const heading = element(
      'p',
      { class: result.valid ? 'verdict ok' : 'verdict failed' },
      result.valid ? `${t('bundleOk')} ${result.format}` : `${t('bundleFailed')} ${result.format}`,
    );
    const problems = element('ul', { id: 'bundle-problems' });
    for (const problem of result.problems)
      problems.append(element('li', { 'data-place': problem.place }, `${problem.place}: ${problem.message}`));
    outcome.replaceChildren(heading, element('p', {}, result.summary), ...(result.problems.length ? [problems] : []));
    if (trustedKey === undefined && result.logVerifierKey)
      outcome.append(
        element(
          'p',
          { class: 'note' },
          `${t('keyFromBundle')} `,
          element('span', { class: 'mono' }, result.logVerifierKey),
        ),
      );
  };
  const recheck = () =>
    check().catch((error: unknown) => {
      outcome.dataset['valid'] = 'false';
      outcome.replaceChildren(element('p', { role: 'alert' }, context.failure(error)));
    });
  // A key pasted after choosing the file checks the same file again, against that key.
  file.addEventListener('change', () => void recheck());
  key.addEventListener('change', () => void recheck());
  ready.then(
    () => (document.documentElement.dataset['verifierReady'] = 'true'),
    (error: unknown) => outcome.replaceChildren(element('p', { role: 'alert' }, context.failure(error))),
  );
  return section(
    'regulator',
    t('regulatorPage'),
    element('p', {}, t('regulatorIntro')),
    element('p', {}, element('label', { for: 'bundle-file' }, t('bundleFile')), file),
    element('p', {}, element('label', { for: 'log-key' }, t('logKey')), key),
    outcome,
  );
}
