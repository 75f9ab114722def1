import { useEffect, useState } from 'react';

/** The page part of /t/{tenant}/{page}; the app's whole routing (no router library needed). */
export const currentPage = (): string => window.location.pathname.split('/').slice(3).join('/') || 'sign-in';

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
  window.history.pushState(null, '', path);
  window.dispatchEvent(new Event('plinto:navigate'));
}

export const param = (name: string): string | null => new URLSearchParams(window.location.search).get(name);
