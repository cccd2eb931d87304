/** What a global secondary index of a lifecycle's table is, as its repository and the stack read it (no CDK, no SDK). */
export interface IndexSpec {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}
