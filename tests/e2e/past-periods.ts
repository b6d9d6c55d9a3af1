/**
 * The past periods e2e files close, one file each: files run side by side on one platform, and a period closed by
 * one would refuse the usage another publishes for it (or carry the other's tokens into its allocation).
 */
export const PAST_PERIODS = {
  abuseTerms: '2024-03',
  onboardingHeld: '2024-06',
  onboardingPaid: '2024-07',
  transparency: '2024-09',
} as const;
