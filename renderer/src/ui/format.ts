// The player writes sizes, rates and durations exactly as the CLI does: one module for both.
export {
  describePlace,
  describePortMapping,
  describeReachability,
  describeViewers,
  formatBytes,
  formatMilliseconds,
  formatRate,
  formatDuration as formatTime,
} from '../../../core/shared/format.js';
