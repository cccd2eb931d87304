/** HMS IT: the guest's Step Functions executions (DescribeExecution) with their latest events (GetExecutionHistory). */
import type { Execution } from '../api/client.ts';
import { formatInstant } from '../text.ts';

export function Executions({ executions }: { executions: Execution[] }) {
  return (
    <section aria-labelledby="executions-heading">
      <h2 id="executions-heading">Lifecycle executions</h2>
      {executions.length === 0 ? (
        <p>Step Functions knows no execution of this guest&apos;s lifecycle.</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="executions stack">
              <caption className="visually-hidden">Executions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Execution</th>
                  <th scope="col">Status</th>
                  <th scope="col">Current state</th>
                  <th scope="col">Started</th>
                  <th scope="col">Stopped</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {executions.map((e) => (
                  <tr key={e.name}>
                    <th scope="row">
                      <code>{e.name}</code>
                      <span className="sub">generation {e.generation}</span>
                    </th>
                    <td data-label="Status">
                      <span className={`exec exec-${e.status.toLowerCase()}`}>{e.status}</span>
                    </td>
                    <td data-label="Current state">{e.currentState ?? '—'}</td>
                    <td data-label="Started">{formatInstant(e.startDate)}</td>
                    <td data-label="Stopped">{e.stopDate ? formatInstant(e.stopDate) : '—'}</td>
                    <td data-label="Error">{e.error ? `${e.error}${e.cause ? `: ${e.cause}` : ''}` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {executions.map((e) => (
            <details key={e.name} className="history">
              <summary>
                Event history of <code>{e.name}</code> ({e.events.length} {e.eventsTruncated ? 'latest ' : ''}events, newest first)
              </summary>
              <div className="table-wrap">
                <table className="events stack">
                  <caption className="visually-hidden">Events of {e.name}</caption>
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Time</th>
                      <th scope="col">Event</th>
                      <th scope="col">State</th>
                      <th scope="col">Error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {e.events.map((v) => (
                      <tr key={v.id}>
                        <td data-label="#">{v.id}</td>
                        <td data-label="Time">{formatInstant(v.at)}</td>
                        <td data-label="Event">{v.type}</td>
                        <td data-label="State">{v.state ?? ''}</td>
                        <td data-label="Error">{v.error ? `${v.error}${v.cause ? `: ${v.cause}` : ''}` : ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          ))}
        </>
      )}
    </section>
  );
}
