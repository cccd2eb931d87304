/** Mailer over SES (v1 API, @aws-sdk/client-ses). Every message has a text and an HTML body. */
import { SendEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import type { EmailMessage, Mailer } from '../core/ports.ts';

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(message: EmailMessage): Promise<string> {
    const out = await this.ses.send(
      new SendEmailCommand({
        Source: this.from,
        Destination: { ToAddresses: message.to, CcAddresses: message.cc?.length ? message.cc : undefined },
        Message: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
        },
        ConfigurationSetName: this.configurationSet,
      }),
    );
    return out.MessageId ?? '';
  }
}
