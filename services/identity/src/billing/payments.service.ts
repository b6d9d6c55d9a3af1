import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Payment } from './payment.entity.js';

export interface PaymentDto {
  readonly id: string;
  readonly subscriptionId: string;
  readonly period: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly capturedAt: string;
}

@Injectable()
export class PaymentsService {
  constructor(private readonly dataSource: DataSource) {}

  async ofAccount(accountId: string): Promise<PaymentDto[]> {
    const payments = await this.dataSource
      .getRepository(Payment)
      .find({ where: { accountId }, order: { period: 'DESC', capturedAt: 'DESC' }, take: 120 });
    return payments.map((payment) => ({
      id: payment.id,
      subscriptionId: payment.subscriptionId,
      period: payment.period,
      amountMinor: payment.amountMinor.toString(),
      currency: payment.currency,
      capturedAt: payment.capturedAt.toISOString(),
    }));
  }
}
