import { ConsentCallbackResult } from '@app/onboarding';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Headers of every callback page: the URL carried `state`, so no referrer; nothing cached, framed or scripted. */
export const CONSENT_PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
};

/** The small page the customer admin sees after the admin-consent redirect. Every value is escaped. */
export function renderConsentPage(
  r: Pick<ConsentCallbackResult, 'title' | 'message' | 'tenantDisplayName'>,
  reference: string,
): string {
  const org = r.tenantDisplayName
    ? `<p>Organization: <strong>${escapeHtml(r.tenantDisplayName)}</strong></p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}small{color:#666}</style>
</head><body>
<h1>${escapeHtml(r.title)}</h1>
${org}<p>${escapeHtml(r.message)}</p>
<p><small>Reference: ${escapeHtml(reference)}</small></p>
</body></html>
`;
}
