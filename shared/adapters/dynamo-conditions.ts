/** What the DynamoDB repositories share about conditional writes. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** The condition of a write that creates an item: no item has its key yet. */
export const keyDoesNotExist = 'attribute_not_exists(pk)';

/** A conditional write: true once written, false when its condition refused it (any other error is thrown). */
export async function written(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
