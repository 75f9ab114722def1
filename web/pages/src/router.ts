import { useEffect, useState } from 'react';

/** A fact the api put in the page's <head> (see api/src/http/pages.ts). */
export const meta = (name: string): string | undefined => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || undefined;

/**
 * The page part of /t/{tenant}/{page}; the app's whole routing (no router library needed). The api
 * may name the page itself (an error shown at /t/{tenant}/oauth/authorize is the error page).
 */
export const currentPage = (): string => meta('plinto-page') ?? (window.location.pathname.split('/').slice(3).join('/') || 'sign-in');

export function usePage(): string {
  const [page, setPage] = useState(currentPage);
  useEffect(() => {
    const onPop = () => setPage(currentPage());
    window.addEventListener('popstate', onPop);
    window.addEventListener('plinto:navigate', onPop);
    return () => {
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('plinto:navigate', onPop);
    };
  }, []);
  return page;
}

/** Moves to another page of the app without a reload. */
export function navigate(path: string): void {
  document.querySelector('meta[name="plinto-page"]')?.remove();
  window.history.pushState(null, '', path);
  window.dispatchEvent(new Event('plinto:navigate'));
}

export const param = (name: string): string | null => new URLSearchParams(window.location.search).get(name);
