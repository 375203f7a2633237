import {
  type CSSVariablesResolver,
  createTheme,
  type MantineColorsTuple,
  MantineProvider,
} from '@mantine/core';
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
  const dark = [0, 0, 0, 0.15].map((t) => toHex(mix(strong, [0, 0, 0], t)));
  return [...shades, ...dark] as unknown as MantineColorsTuple;
}

/**
 * `hex` darkened until it reads on white with room to spare, so it stays above WCAG AA on its own
 * light variant's tint over a striped or hovered table row too.
 */
export function readableOnWhite(hex: string, ratio = 6.5): string {
  const base = toRgb(hex);
  let rgb = base;
  for (let t = 0.05; contrastWithWhite(rgb) < ratio && t <= 1; t += 0.05) rgb = mix(base, [0, 0, 0], t);
  return toHex(rgb);
}

// Shade 8 for filled colours; auto contrast with the WCAG crossover luminance (0.179) picks black or
// white text, whichever reads better, on every filled badge and button.
const baseTheme = {
  primaryColor: 'indigo',
  primaryShade: 8,
  autoContrast: true,
  luminanceThreshold: 0.179,
  defaultRadius: 'md',
} as const;

/**
 * In the light scheme, coloured text (light and outline variants, `c="red"`) is each colour's shade 8
 * darkened where needed to keep AA contrast on white and on its own tint. Dimmed and placeholder text
 * are one step stronger than Mantine's defaults in both schemes, which fall short of AA.
 */
const readableColours: CSSVariablesResolver = (theme) => ({
  variables: {},
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-placeholder': 'var(--mantine-color-dark-1)',
  },
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(
      Object.entries(theme.colors).flatMap(([name, shades]) => {
        const text = readableOnWhite(shades[8]);
        return [
          [`--mantine-color-${name}-light-color`, text],
          [`--mantine-color-${name}-text`, text],
          [`--mantine-color-${name}-outline`, text],
        ];
      }),
    ),
  },
});

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
      <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={readableColours}>
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
