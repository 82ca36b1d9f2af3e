"""The one way out: notices written to the outbox, and the worker that delivers them.

Services write a notice, its renderings (once per language and channel) and one delivery per
recipient in the same transaction as the change that caused it (`outbox.enqueue`). The worker
(`worker.DeliveryWorker`) claims due deliveries, sends them through a channel's `Sender` at a
paced rate, and records every outcome, so a crash loses nothing.
"""
