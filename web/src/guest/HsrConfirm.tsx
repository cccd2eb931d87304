/** Under the guest's HUID: whose Harvard Sponsored Role it is, once the 8 digits are typed (kit/lookup.ts), so a mistyped HUID shows before the request is sent. */
import type { HsrConfirmation } from '../api/client.ts';
import type { Lookup } from '../kit/lookup.ts';
import { formatDate } from '../text.ts';

export function HsrConfirm({ lookup }: { lookup: Lookup<HsrConfirmation> }) {
  return (
    <div className="lookup" aria-live="polite" role="status">
      {lookup.kind === 'looking' ? <p className="hint">Looking up this HUID…</p> : null}
      {lookup.kind === 'found' ? (
        <p className={lookup.value.active ? 'lookup-found' : 'lookup-warning'}>
          <strong>{lookup.value.name}</strong>
          {lookup.value.active
            ? `: Harvard Sponsored Role active through ${formatDate(lookup.value.endDate)}.`
            : ': the Harvard Sponsored Role is not active. The request waits for it, 14 days at most.'}
        </p>
      ) : null}
      {lookup.kind === 'none' ? (
        <p className="lookup-warning">No Harvard Sponsored Role has this HUID. Check it: if the HSR is still being set up, the request waits for it, 14 days at most.</p>
      ) : null}
    </div>
  );
}
