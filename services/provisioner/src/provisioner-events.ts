/** The CloudEvents `source` of everything the provisioner announces. */
export const PROVISIONER_SOURCE = { source: '/onecommons/provisioner' } as const;
