// clock_gettime(2): the clocks a program times itself with, and the one the tracer's JSON records and
// the kernel's packet timestamps share (CLOCK_REALTIME).
import { CLOCK_MONOTONIC, CLOCK_REALTIME, EINVAL, clock_gettime, errno, timespec } from 'bsdsock';

describe('clock_gettime', () => {
  test('CLOCK_REALTIME is the wall clock, to the nanosecond', () => {
    const tp = new timespec();
    const before = Date.now();
    expect(clock_gettime(CLOCK_REALTIME, tp)).toBe(0);
    const after = Date.now();
    const ms = tp.tv_sec * 1000 + Math.floor(tp.tv_nsec / 1e6);
    expect(ms).toBeGreaterThanOrEqual(before - 1);
    expect(ms).toBeLessThanOrEqual(after + 1);
    expect(tp.tv_nsec).toBeGreaterThanOrEqual(0);
    expect(tp.tv_nsec).toBeLessThan(1e9);
  });

  test('CLOCK_MONOTONIC never goes back', () => {
    const a = new timespec();
    const b = new timespec();
    expect(clock_gettime(CLOCK_MONOTONIC, a)).toBe(0);
    expect(clock_gettime(CLOCK_MONOTONIC, b)).toBe(0);
    expect(b.tv_sec * 1e9 + b.tv_nsec).toBeGreaterThanOrEqual(a.tv_sec * 1e9 + a.tv_nsec);
  });

  test('an unknown clock is -1 with EINVAL, and tp is left as it was', () => {
    const tp = new timespec();
    tp.tv_sec = 7;
    expect(clock_gettime(12345, tp)).toBe(-1);
    expect(errno).toBe(EINVAL);
    expect(tp.tv_sec).toBe(7);
  });

  test('tp must be a timespec', () => {
    expect(() => clock_gettime(CLOCK_REALTIME, Buffer.alloc(16) as unknown as timespec)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
