import { createTheme, type MantineColorsTuple, MantineProvider } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { api, unwrap } from './api/client';
import type { Branding } from './api/types';

type Rgb = [number, number, number];

const toRgb = (hex: string): Rgb => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const toHex = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * t) as Rgb;

/** WCAG relative luminance. */
function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrastWithWhite = (rgb: Rgb) => 1.05 / (luminance(rgb) + 0.05);

/**
 * Ten Mantine shades from one accent colour: tints for 0–5, and for 6–9 the accent darkened until
 * white text on it (and it as text on white) keeps WCAG AA contrast, whatever colour was chosen.
 */
export function accentPalette(hex: string): MantineColorsTuple {
  const base = toRgb(hex);
  let strong = base;
  for (let t = 0.05; contrastWithWhite(strong) < 4.6 && t <= 1; t += 0.05) strong = mix(base, [0, 0, 0], t);
  const white: Rgb = [255, 255, 255];
  const shades = [0.92, 0.84, 0.7, 0.55, 0.4, 0.2].map((t) => toHex(mix(base, white, t)));
  const dark = [0, 0, 0.12, 0.24].map((t) => toHex(mix(strong, [0, 0, 0], t)));
  return [...shades, ...dark] as unknown as MantineColorsTuple;
}

// Shade 8 and auto contrast keep text on primary and light variants above WCAG AA (axe's color-contrast).
const baseTheme = {
  primaryColor: 'indigo',
  primaryShade: 8,
  autoContrast: true,
  defaultRadius: 'md',
} as const;

const AccentContext = createContext<(accent: string | null) => void>(() => {});

/** The app's Mantine theme; a tenant's accent colour, while its portal is shown, is the primary colour. */
export function BrandThemeProvider({ children }: { children: ReactNode }) {
  const [accent, setAccent] = useState<string | null>(null);
  const theme = useMemo(
    () =>
      createTheme(
        accent
          ? { ...baseTheme, primaryColor: 'brand', colors: { brand: accentPalette(accent) } }
          : baseTheme,
      ),
    [accent],
  );
  return (
    <AccentContext.Provider value={setAccent}>
      <MantineProvider theme={theme} defaultColorScheme="auto">
        {children}
      </MantineProvider>
    </AccentContext.Provider>
  );
}

export const brandingQuery = (tenantId: string) => ({
  queryKey: ['branding', tenantId],
  queryFn: (): Promise<Branding> =>
    unwrap(api.GET('/api/tenants/{tenantId}/branding', { params: { path: { tenantId } } })),
  staleTime: 60_000,
});

/** The tenant's brand for its portal; applies the accent colour while the portal is on screen. */
export function useTenantBrand(tenantId: string | undefined): Branding | undefined {
  const setAccent = useContext(AccentContext);
  const branding = useQuery({ ...brandingQuery(tenantId ?? ''), enabled: Boolean(tenantId) });
  const accent = branding.data?.accentColor ?? null;
  useEffect(() => {
    setAccent(accent);
    return () => setAccent(null);
  }, [accent, setAccent]);
  useEffect(() => {
    const name = branding.data?.displayName ?? branding.data?.tenantName;
    if (!name) return;
    const before = document.title;
    document.title = name;
    return () => {
      document.title = before;
    };
  }, [branding.data?.displayName, branding.data?.tenantName]);
  return branding.data;
}
