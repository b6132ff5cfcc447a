// The application's pages as paths (/, /calls, /dial, /log, /contacts, /voicemail, /phones, /devices, /settings), kept in the browser's history.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<(p: string) => void>();

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  for (const l of listeners) l(path);
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const pop = (): void => setPath(location.pathname);
    listeners.add(setPath);
    addEventListener('popstate', pop);
    return () => {
      listeners.delete(setPath);
      removeEventListener('popstate', pop);
    };
  }, []);
  return path;
}

/** A link that changes the page without reloading it. */
export function linkClick(e: MouseEvent, path: string): void {
  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(path);
}
