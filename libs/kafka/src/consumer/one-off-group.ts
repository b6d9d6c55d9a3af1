import { type Kafka } from 'kafkajs';

/**
 * Deletes the consumer group of a one-off read (a replay, a dead-letter listing) once it is done. Best effort:
 * such a group commits no offsets, and the broker expires an empty group on its own.
 */
export async function deleteOneOffGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // left for the broker's group expiry
  } finally {
    await admin.disconnect();
  }
}
