// The soak bench's arithmetic: a least-squares line through memory samples over time, and whether its growth over
// the run stands out of the samples' own scatter around it.

/** What heapProbe.ts answers over IPC. */
export interface HeapReport {
  heapUsedBytes: number;
}

export interface Trend {
  /** MB per minute. */
  slopeMbPerMin: number;
  /** Standard error of the slope, MB per minute. */
  slopeErrorMbPerMin: number;
  /** Scatter of the samples around the line (residual standard deviation), MB. */
  noiseMb: number;
  /** What the slope adds over the span of the samples, MB. */
  growthMb: number;
  /** The growth is within twice the scatter, or the slope within two standard errors of zero: no growth beyond noise. */
  flat: boolean;
}

/** Least squares over (minutes, MB) points; at least three. */
export function trend(points: { minutes: number; mb: number }[]): Trend {
  const n = points.length;
  if (n < 3) throw new Error(`a trend needs at least 3 samples, got ${n}`);
  const meanX = points.reduce((sum, p) => sum + p.minutes, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.mb, 0) / n;
  const sxx = points.reduce((sum, p) => sum + (p.minutes - meanX) ** 2, 0);
  const sxy = points.reduce((sum, p) => sum + (p.minutes - meanX) * (p.mb - meanY), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residuals = points.reduce((sum, p) => sum + (p.mb - (intercept + slope * p.minutes)) ** 2, 0);
  const noise = Math.sqrt(residuals / (n - 2));
  const slopeError = sxx === 0 ? 0 : noise / Math.sqrt(sxx);
  const span = Math.max(...points.map((p) => p.minutes)) - Math.min(...points.map((p) => p.minutes));
  const growth = slope * span;
  return {
    slopeMbPerMin: slope,
    slopeErrorMbPerMin: slopeError,
    noiseMb: noise,
    growthMb: growth,
    flat: growth <= 2 * noise || slope <= 2 * slopeError,
  };
}
