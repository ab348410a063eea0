from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self):
        # A __str__ that queries, as real projects' do (a related name, a count).
        return "%s (%d items)" % (self.name, Item.objects.count())
