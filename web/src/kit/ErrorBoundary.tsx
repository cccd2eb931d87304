/**
 * The last net under every page: a page that throws while rendering shows what happened and what to
 * do, in the frame (header, navigation, sign-out still there), never a blank window. The forms keep
 * what was typed in the session (kit/draft.ts), so "Try again" brings it back.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Page } from './ui.tsx';

interface State {
  failed: boolean;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('A page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <Page title="Something went wrong on this page">
        <div className="alert alert-error" role="alert">
          <p>The page could not show what you asked for. What you typed in a form is kept.</p>
          <p>
            <button type="button" onClick={() => this.setState({ failed: false })}>
              Try again
            </button>{' '}
            If it happens again, reload the page or contact HMS IT.
          </p>
        </div>
      </Page>
    );
  }
}
