import { Button, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import WaveSurfer from 'wavesurfer.js';
import type { CallTurn } from './types';

/** The turn being spoken at `ms`: the last one that started at or before it. */
export function currentTurnIndex(turns: CallTurn[], ms: number): number {
  let index = -1;
  turns.forEach((t, i) => {
    if (t.startMs <= ms) index = i;
  });
  return index;
}

/**
 * Recording playback synced to the transcript: a waveform, play/pause, speed, download; clicking a
 * turn seeks there, and the turn being spoken is highlighted while playing.
 */
export function RecordingPlayer({
  url,
  downloadUrl,
  turns,
}: {
  url: string;
  downloadUrl: string;
  turns: CallTurn[];
}) {
  const container = useRef<HTMLDivElement>(null);
  const ws = useRef<WaveSurfer | null>(null);
  const [ready, setReady] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [timeMs, setTimeMs] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [rate, setRate] = useState('1');
  const current = currentTurnIndex(turns, timeMs);
  const turnRefs = useRef<(HTMLDivElement | null)[]>([]);

  useEffect(() => {
    if (!container.current) return;
    const surfer = WaveSurfer.create({
      container: container.current,
      url,
      height: 72,
      waveColor: '#9aa5ce',
      progressColor: '#4c6ef5',
      cursorColor: '#364fc7',
      dragToSeek: true,
    });
    ws.current = surfer;
    surfer.on('ready', () => setReady(true));
    surfer.on('timeupdate', (t) => setTimeMs(Math.round(t * 1000)));
    surfer.on('play', () => setPlaying(true));
    surfer.on('pause', () => setPlaying(false));
    surfer.on('finish', () => setPlaying(false));
    surfer.on('error', (e) => setError(String(e)));
    return () => surfer.destroy();
  }, [url]);

  useEffect(() => {
    if (playing && current >= 0) turnRefs.current[current]?.scrollIntoView({ block: 'nearest' });
  }, [current, playing]);

  const seek = (ms: number) => {
    ws.current?.setTime(ms / 1000);
    setTimeMs(ms);
  };

  return (
    <Stack>
      <Paper withBorder p="md">
        <div ref={container} aria-label="Recording waveform" role="img" />
        {error ? (
          <Text c="red" role="alert">
            The recording could not be loaded: {error}
          </Text>
        ) : null}
        <Group mt="sm" justify="space-between">
          <Group>
            <Button
              onClick={() => ws.current?.playPause()}
              disabled={!ready}
              aria-label={playing ? 'Pause' : 'Play'}
            >
              {playing ? 'Pause' : 'Play'}
            </Button>
            <Text size="sm" data-testid="player-time" aria-live="off">
              {(timeMs / 1000).toFixed(1)} s
            </Text>
          </Group>
          <Group>
            <Select
              aria-label="Playback speed"
              w={100}
              data={['0.5', '1', '1.5', '2']}
              value={rate}
              allowDeselect={false}
              onChange={(v) => {
                setRate(v ?? '1');
                ws.current?.setPlaybackRate(Number(v ?? '1'), true);
              }}
            />
            <Button component="a" href={downloadUrl} variant="default">
              Download
            </Button>
          </Group>
        </Group>
      </Paper>
      <Transcript turns={turns} current={current} onSeek={seek} refs={turnRefs} />
    </Stack>
  );
}

export function Transcript({
  turns,
  current = -1,
  onSeek,
  refs,
}: {
  turns: CallTurn[];
  current?: number;
  onSeek?: (ms: number) => void;
  refs?: React.RefObject<(HTMLDivElement | null)[]>;
}) {
  return (
    <Stack gap={4} aria-label="Transcript" role="list">
      {turns.map((t, i) => (
        <Paper
          key={`${t.seq ?? i}-${t.startMs}`}
          className="turn"
          data-current={i === current}
          data-testid="turn"
          p="xs"
          role="listitem"
          aria-current={i === current ? 'true' : undefined}
          ref={(el: HTMLDivElement | null) => {
            if (refs) refs.current[i] = el;
          }}
          tabIndex={onSeek ? 0 : undefined}
          onClick={() => onSeek?.(t.startMs)}
          onKeyDown={(e) => {
            if (onSeek && (e.key === 'Enter' || e.key === ' ')) {
              e.preventDefault();
              onSeek(t.startMs);
            }
          }}
        >
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <Text size="xs" c="dimmed" w={48}>
              {(t.startMs / 1000).toFixed(1)} s
            </Text>
            <Text size="sm" fw={600} w={60}>
              {t.speaker}
            </Text>
            <Text size="sm" style={{ flex: 1 }}>
              {t.text}
              {t.interrupted ? ' (interrupted)' : ''}
            </Text>
            {t.latencyMs != null ? (
              <Text size="xs" c="dimmed">
                {t.latencyMs} ms
              </Text>
            ) : null}
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}
