import { voice } from '@livekit/agents';

/**
 * The call's silence timer: it runs only while both sides are listening and no tool is running
 * (a caller waiting on a slow booking is not silent), and fires `onSilent(1)`, then `onSilent(2)`
 * after as long again, the count starting over whenever the caller speaks. It replaces the
 * session's `userAwayTimeout`, which knows nothing of tools: once a tool's filler phrase has played
 * the agent is `listening` again although it is still waiting for the tool.
 */
export class SilenceWatch {
  private timer: NodeJS.Timeout | undefined;
  private prompts = 0;
  private toolsRunning = 0;
  private stopped = false;
  private readonly onAgentState = () => this.rearm();
  private readonly onUserState = (ev: voice.UserStateChangedEvent) => {
    if (ev.newState === 'speaking') this.prompts = 0;
    this.rearm();
  };
  private readonly onTranscribed = (ev: voice.UserInputTranscribedEvent) => {
    if (ev.isFinal) this.rearm();
  };

  constructor(
    private readonly session: voice.AgentSession,
    private readonly limitMs: number,
    private readonly onSilent: (prompt: number) => void,
  ) {
    session.on(voice.AgentSessionEventTypes.AgentStateChanged, this.onAgentState);
    session.on(voice.AgentSessionEventTypes.UserStateChanged, this.onUserState);
    session.on(voice.AgentSessionEventTypes.UserInputTranscribed, this.onTranscribed);
  }

  /** Whether the timer is running now. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** A tool started (+1) or finished (-1). */
  toolRunning(delta: 1 | -1): void {
    this.toolsRunning = Math.max(0, this.toolsRunning + delta);
    this.rearm();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
    this.session.off(voice.AgentSessionEventTypes.AgentStateChanged, this.onAgentState);
    this.session.off(voice.AgentSessionEventTypes.UserStateChanged, this.onUserState);
    this.session.off(voice.AgentSessionEventTypes.UserInputTranscribed, this.onTranscribed);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private rearm(): void {
    this.clear();
    if (this.stopped || this.toolsRunning > 0) return;
    if (this.session.agentState !== 'listening' || this.session.userState !== 'listening') return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.prompts++;
      this.onSilent(this.prompts);
    }, this.limitMs);
  }
}
