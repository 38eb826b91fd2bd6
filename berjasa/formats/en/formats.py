"""The English interface writes dates, times and numbers as the Indonesian one does (decision 39): a clerk
switching language reads the same ``31/08/2025``, ``23.59 WITA``, ``63,47%`` and ``Rp16.800``; only words (month
names in long dates) are English."""

from berjasa.formats.id.formats import *  # noqa: F403
