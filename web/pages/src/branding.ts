import { createContext, useContext } from 'react';
import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/** The tenant's branding, as the api serves it with the page (meta `plinto-branding`). */
export interface Branding {
  name: string;
  logoUrl: string | null;
  primaryColor: string | null;
  backgroundColor: string | null;
  supportEmail: string | null;
}

const HEX = /^#[0-9a-f]{6}$/;

export function readBranding(fallbackName: string): Branding {
  const raw = document.querySelector<HTMLMetaElement>('meta[name="plinto-branding"]')?.content;
  const parsed = (() => {
    try {
      return raw ? (JSON.parse(raw) as Partial<Branding>) : {};
    } catch {
      return {};
    }
  })();
  const color = (value: unknown) => (typeof value === 'string' && HEX.test(value) ? value : null);
  return {
    name: typeof parsed.name === 'string' && parsed.name ? parsed.name : fallbackName,
    logoUrl: typeof parsed.logoUrl === 'string' && parsed.logoUrl.startsWith('https://') ? parsed.logoUrl : null,
    primaryColor: color(parsed.primaryColor),
    backgroundColor: color(parsed.backgroundColor),
    supportEmail: typeof parsed.supportEmail === 'string' && parsed.supportEmail ? parsed.supportEmail : null,
  };
}

export const BrandingContext = createContext<Branding>({ name: 'Plinto', logoUrl: null, primaryColor: null, backgroundColor: null, supportEmail: null });
export const useBranding = () => useContext(BrandingContext);

/**
 * The Mantine theme for a branding. Shade 8 is the primary shade (filled buttons, links): the
 * tenant's colour exactly there and in 6–7 (light variants' text); 9 (hover) darker, so white text
 * only gains contrast; 0–5 are tints for light backgrounds. The api refused colours below WCAG AA.
 */
export function themeFor(branding: Branding) {
  const brand = branding.primaryColor;
  return createTheme({
    primaryColor: brand ? 'brand' : 'indigo',
    primaryShade: 8,
    defaultRadius: 'md',
    ...(brand ? { colors: { brand: paletteOf(brand) } } : {}),
  });
}

/**
 * The text colour readable on the page background (AA either way: near-black or white). The
 * background itself is the body's alone (`applyBackground`): Mantine's body colour also paints
 * cards and alerts, which stay white so the text inside them keeps its contrast.
 */
export function cssVariablesFor(branding: Branding): CSSVariablesResolver {
  const background = branding.backgroundColor;
  const light: Record<string, string> = { '--plinto-text-on-body': background ? readableOn(background) : 'var(--mantine-color-gray-8)' };
  return () => ({ variables: {}, light, dark: {} });
}

/** Paints the page background (a CSSOM style, which the page's CSP permits). */
export function applyBackground(branding: Branding): void {
  if (branding.backgroundColor) document.body.style.backgroundColor = branding.backgroundColor;
}

function paletteOf(hex: string): MantineColorsTuple {
  const tints = [0.92, 0.84, 0.7, 0.55, 0.4, 0.2].map((amount) => mix(hex, '#ffffff', amount));
  return [...tints, hex, hex, hex, mix(hex, '#000000', 0.2)] as unknown as MantineColorsTuple;
}

function mix(hex: string, target: string, amount: number): string {
  const channel = (h: string, i: number) => parseInt(h.slice(i, i + 2), 16);
  return `#${[1, 3, 5]
    .map((i) => Math.round(channel(hex, i) * (1 - amount) + channel(target, i) * amount).toString(16).padStart(2, '0'))
    .join('')}`;
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Near-black or white, whichever contrasts more with `background` (one of them always reaches 4.5:1). */
function readableOn(background: string): string {
  const l = luminance(background);
  const dark = '#212529';
  const onDark = (l + 0.05) / (luminance(dark) + 0.05);
  const onWhite = 1.05 / (l + 0.05);
  return onDark >= onWhite ? dark : '#ffffff';
}
