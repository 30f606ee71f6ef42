/** A clock that moves only when the code under test sleeps; sleeps are recorded. Tests advance it, never wait. */
export function fakeClock(start = 0) {
  const clock = {
    ms: start,
    sleeps: [] as number[],
    now: () => clock.ms,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.ms += ms;
    },
  };
  return clock;
}
