"""The SMS gateway adapters that ship with the bot, one module each, each with a
`create(settings)` factory registered under the `naboskap.sms_gateways` entry point."""
