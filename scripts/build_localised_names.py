#!/usr/bin/env python3
"""Build mtdetect/lexicons/localised_names.tsv: names in a pivot language's form -> English.

  python3 scripts/build_localised_names.py            # writes the lexicon, prints a summary
  python3 scripts/build_localised_names.py --check    # also lists what the human-text check dropped

Sources (all installed locally; nothing is downloaded):

* CLDR through Babel (``babel.Locale(lang).territories`` and the exemplar cities of its time
  zones) for country and city names in es, pt, it, fr, de and ca, against Babel's English names;
* Debian's ``iso-codes`` (``/usr/share/iso-codes/json/iso_3166-1.json`` and the gettext
  catalogues ``/usr/share/locale/<lang>/LC_MESSAGES/iso_3166-1.mo``) for more country names,
  official names included ("Federación Rusa");
* the hand-written lists below: capitals and cities missing from CLDR, British and other
  royals, popes, historical figures, organisations and royal/papal titles.

A form is kept only when it differs from every English name (accents ignored) and is not
itself English: forms with an English word frequency (wordfreq) of 3 or more are dropped,
forms between 2 and 3 are gated (they need a place preposition before them). Then the
recognizer is run with the candidate lexicon over every human-written document of the shared
data (originals and human translations): a row that fires there is gated (``prep``) or, if it
still fires, dropped. Without the shared data this last check is skipped (with a warning).
"""

from __future__ import annotations

import argparse
import gettext
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtdetect.recognizers.localised_names import LocalisedNameRecognizer, first_word  # noqa: E402
from mtdetect.segment import segment  # noqa: E402

OUT = ROOT / "mtdetect" / "lexicons" / "localised_names.tsv"
LANGS = ("es", "pt", "it", "fr", "ca")
# German forms are left out (titles aside): the human translations from German in the shared
# data keep them ("Kopenhagen", "Finnland", "Benedikt XVI"), while no German round trip or
# German MT output there does; they were evidence against MT, not for it.
NAME_LANGS_EXCLUDED = frozenset({"de"})
ISO_JSON = Path("/usr/share/iso-codes/json/iso_3166-1.json")
LOCALE_DIR = Path("/usr/share/locale")

# English names that CLDR does not give as the main name but English news uses.
ENGLISH_ALTERNATES = """Czech Republic|Turkey|Burma|Ivory Coast|Cape Verde|Cabo Verde|Swaziland|Macedonia|
East Timor|Holland|Britain|Great Britain|England|Scotland|Wales|Kiev|Peking|Bombay|Calcutta|Madras|Rangoon|
Saigon|Danzig|Vilna|Lvov|Kharkov|Odessa|Kishinev|Alma-Ata|Macau|Canton|Mexico|Ho Chi Minh|Tiflis|Dacca|
Bahrein|Faroe Islands|Canary Islands|Congo|Vatican|Holy See|Korea|Russia|America|USA|UK|
Saint Petersburg|Sao Paulo|Bogota|Brasilia|Asuncion|Quebec|Montreal|Zurich|Geneva|Gothenburg|Nuremberg|
Cologne|Munich|Hanover|Brunswick|Aix-la-Chapelle|Aachen|Leghorn|Livorno|Naples|Florence|Venice|Milan|
Turin|Genoa|Padua|Seville|Saragossa|Zaragoza|Corunna|Majorca|Minorca|Lisbon|Oporto|Porto|Antwerp|Bruges|
Ghent|The Hague|Flanders|Wallonia|Brittany|Normandy|Burgundy|Catalonia|Andalusia|Bavaria|Saxony|
Prussia|Silesia|Bohemia|Moravia|Transylvania|Lapland|Siberia|Crimea|Caucasus|Tyrol|Lombardy|Tuscany|
Sicily|Sardinia|Corsica|Piedmont|Apulia|Calabria|Tenerife|Galicia|Basque Country|Navarre|Castile|Aragon""".replace("\n", "").split("|")

# Place names whose foreign forms are too often other places, saints or people to be evidence.
SKIP_PREFIXES = ("San ", "Santa ", "Santo ", "São ", "Sant ", "Sant’", "Sant'", "Saint", "Sainte", "St ", "St.")
SKIP_FORMS = frozenset(
    """Roma Milano Torino Venezia Napoli Firenze Genova Monaco Colonia Vienne Alger Belén Bagdad Buda Sofía
    Galápagos Showa Canton Mexico México Macau Kiev Kiew Kíev Calcutta Rangoon Dacca Bahrein Tiflis Vilna
    Georgia Jordan Chad Niger Guinea Dominica Jersey Man Bermudas Canarias Comores Merida Cabo Reunión
    Réunion Reunião Reunió Pasqua Famagosta Chowd Wostok Unbekannt Porto Lisboa Brasil Italia Deutschland
    Holanda Olanda Irlanda Polonia Francia Grecia Germania Cina Gales Galles Marco Moisés Sócrates Homero
    Aníbal Catalina Cristo Indias Islas Isole Ilhas Illes Aktobe Katmandu Tallin Luxemburg Moldavia Surinam
    Guiana Kongo Congo-Brazzaville Congo-Kinshasa Pekin Manaos Macassar Dantzig Duala Riyad Riad Navidad
    Caiman Damas Kuba Teheran""".split()
)
# English names as English news writes them, where CLDR's differ.
ENGLISH_RENAMES = {
    "Congo - Brazzaville": "Republic of the Congo", "Congo - Kinshasa": "Democratic Republic of the Congo",
    "Myanmar (Burma)": "Myanmar", "Hong Kong SAR China": "Hong Kong", "Macao SAR China": "Macao",
    "Türkiye": "Turkey", "Czechia": "Czech Republic", "Palestinian Territories": "Palestinian territories",
}
# Names-dataset ranks: a form that is a frequent given name is a person, not a place; a
# frequent surname or a less frequent given name needs a place preposition.
GIVEN_NAME_DROP_RANK = 300
NAME_GATE_RANK = 1000
# Cities from CLDR's time zones are kept only when English writes about them often enough to
# have settled on one spelling (wordfreq Zipf of the English name).
CITY_MIN_ENGLISH_ZIPF = 3.0

# ---------------------------------------------------------------------------- hand lists
# (foreign form, English form, languages). Capitals and cities missing from CLDR's time-zone
# cities (which list only one city per zone), and common forms CLDR lacks.
CITIES = """
Pekín|Beijing|es
Pequim|Beijing|pt
Pechino|Beijing|it
Pékin|Beijing|fr
Pequín|Beijing|ca
Nueva York|New York|es
Nova York|New York|pt,ca
Nova Iorque|New York|pt
Nuova York|New York|it
Nueva Delhi|New Delhi|es
Nova Délhi|New Delhi|pt
Nuova Delhi|New Delhi|it
Nova Delhi|New Delhi|ca
La Haya|The Hague|es
Haia|The Hague|pt,ca
L'Aia|The Hague|it
L’Aia|The Hague|it
Den Haag|The Hague|de
Ginebra|Geneva|es,ca
Genebra|Geneva|pt
Ginevra|Geneva|it
Genf|Geneva|de
Estrasburgo|Strasbourg|es,pt
Strasburgo|Strasbourg|it
Straßburg|Strasbourg|de
Estrasburg|Strasbourg|ca
Edimburgo|Edinburgh|es,pt,it
Édimbourg|Edinburgh|fr
Edimburg|Edinburgh|ca
Londra|London|it
Lisbona|Lisbon|it
Lisbonne|Lisbon|fr
Lissabon|Lisbon|de
Varsovia|Warsaw|es
Varsóvia|Warsaw|pt
Varsavia|Warsaw|it
Varsovie|Warsaw|fr
Warschau|Warsaw|de
Varsòvia|Warsaw|ca
Moscú|Moscow|es
Moscou|Moscow|fr,pt,ca
Moscovo|Moscow|pt
Moskau|Moscow|de
Bruselas|Brussels|es
Bruxelas|Brussels|pt
Bruxelles|Brussels|fr,it
Brüssel|Brussels|de
Brussel·les|Brussels|ca
Atenas|Athens|es,pt
Atene|Athens|it
Athènes|Athens|fr
Atenes|Athens|ca
Athen|Athens|de
Copenhague|Copenhagen|es,fr,pt
Copenaghen|Copenhagen|it
Kopenhagen|Copenhagen|de
Estocolmo|Stockholm|es,pt
Estocolm|Stockholm|ca
Stoccolma|Stockholm|it
Helsinque|Helsinki|pt
Praga|Prague|es,pt,it,ca
Prag|Prague|de
Budapeste|Budapest|pt
Bucarest|Bucharest|es,fr,it
Bucareste|Bucharest|pt
Bukarest|Bucharest|de
Belgrado|Belgrade|es,pt,it
Liubliana|Ljubljana|es
Lubiana|Ljubljana|it
Viena|Vienna|es,pt,ca
Wien|Vienna|de
Berlino|Berlin|it
Múnich|Munich|es
Munique|Munich|pt
München|Munich|de
Fráncfort|Frankfurt|es
Francoforte|Frankfurt|it
Hamburgo|Hamburg|es,pt
Amburgo|Hamburg|it
Hambourg|Hamburg|fr
Dresde|Dresden|es,fr
Colònia|Cologne|ca
Köln|Cologne|de
Zúrich|Zurich|es
Zurigo|Zurich|it
Zúric|Zurich|ca
Basilea|Basel|es,it
Basileia|Basel|pt
Bâle|Basel|fr
Amberes|Antwerp|es
Anversa|Antwerp|it
Anvers|Antwerp|fr
Brujas|Bruges|es
Gante|Ghent|es
Róterdam|Rotterdam|es
Ámsterdam|Amsterdam|es
Amsterdã|Amsterdam|pt
Dublín|Dublin|es
Nápoles|Naples|es,pt
Florencia|Florence|es
Florença|Florence|pt
Venecia|Venice|es
Veneza|Venice|pt
Venise|Venice|fr
Milán|Milan|es
Milão|Milan|pt
Turín|Turin|es
Turim|Turin|pt
Génova|Genoa|es,pt
Sevilla|Seville|es,ca
Séville|Seville|fr
Siviglia|Seville|it
Cracovia|Krakow|es,it
Cracóvia|Krakow|pt
Cracovie|Krakow|fr
Dantzig|Gdansk|fr
Moscou|Moscow|fr
San Petersburgo|Saint Petersburg|es
São Petersburgo|Saint Petersburg|pt
Sankt Petersburg|Saint Petersburg|de
Leningrado|Leningrad|es,pt,it
Estambul|Istanbul|es
Istambul|Istanbul|pt
Esmirna|Izmir|es,pt
Jerusalén|Jerusalem|es
Jerusalém|Jerusalem|pt
Gerusalemme|Jerusalem|it
Jérusalem|Jerusalem|fr
Belén|Bethlehem|es
Damasco|Damascus|es,pt,it
Damas|Damascus|fr
El Cairo|Cairo|es
Il Cairo|Cairo|it
Le Caire|Cairo|fr
O Cairo|Cairo|pt
Kairo|Cairo|de
Teherán|Tehran|es
Téhéran|Tehran|fr
Teerã|Tehran|pt
Bagdá|Baghdad|pt
Riad|Riyadh|es,de
Riade|Riyadh|pt
Cabul|Kabul|pt
Kaboul|Kabul|fr
Nueva Zelanda|New Zealand|es
Tokio|Tokyo|es,de
Tóquio|Tokyo|pt
Seúl|Seoul|es
Séoul|Seoul|fr
Pionyang|Pyongyang|es
Hanói|Hanoi|es,pt
Shanghái|Shanghai|es
Xangai|Shanghai|pt
Cantón|Guangzhou|es
Taipéi|Taipei|es
Bombai|Mumbai|pt
Calcuta|Kolkata|es,pt,ca
Pequín|Beijing|ca
Ciudad de México|Mexico City|es
Cidade do México|Mexico City|pt
Città del Messico|Mexico City|it
Ciutat de Mèxic|Mexico City|ca
Mexiko-Stadt|Mexico City|de
Nueva Orleans|New Orleans|es
Nova Orleães|New Orleans|pt
La Nouvelle-Orléans|New Orleans|fr
Filadelfia|Philadelphia|es,it
Filadélfia|Philadelphia|pt
Ciudad del Cabo|Cape Town|es
Cidade do Cabo|Cape Town|pt
Città del Capo|Cape Town|it
Le Cap|Cape Town|fr
Kapstadt|Cape Town|de
La Habana|Havana|es
Havanna|Havana|de
L'Avana|Havana|it
Argel|Algiers|es,pt
Argelia|Algeria|es
Túnez|Tunis|es
Trípoli|Tripoli|es,pt
Jartum|Khartoum|es
Cartum|Khartoum|pt
Adís Abeba|Addis Ababa|es
Adis Abeba|Addis Ababa|pt
Addis Abeba|Addis Ababa|it,fr,de
Yakarta|Jakarta|es
Jacarta|Jakarta|pt
Giacarta|Jakarta|it
Pekin|Beijing|fr
"""

# (foreign, English, category, gate, languages, example)
PEOPLE_AND_BODIES = """
Carlos III|Charles III|royal|title|es,pt|King Carlos III was crowned at Westminster Abbey.
Carlo III|Charles III|royal|none|it|The coronation of Carlo III took place in May.
Carles III|Charles III|royal|none|ca|Carles III was crowned at Westminster Abbey.
Isabel II|Elizabeth II|royal|title|es,pt|The funeral of Queen Isabel II was held in London.
Elisabetta II|Elizabeth II|royal|none|it|The funeral of Elisabetta II was held in London.
Élisabeth II|Elizabeth II|royal|none|fr|The funeral of Élisabeth II was held in London.
Elisabet II|Elizabeth II|royal|none|ca|The funeral of Elisabet II was held in London.
Jorge VI|George VI|royal|none|es,pt|Her father, Jorge VI, died in 1952.
Giorgio VI|George VI|royal|none|it|Her father, Giorgio VI, died in 1952.
Jordi VI|George VI|royal|none|ca|Her father, Jordi VI, died in 1952.
Eduardo VIII|Edward VIII|royal|none|es,pt|Eduardo VIII abdicated in 1936.
Edoardo VIII|Edward VIII|royal|none|it|Edoardo VIII abdicated in 1936.
Édouard VIII|Edward VIII|royal|none|fr|Édouard VIII abdicated in 1936.
Eduard VIII|Edward VIII|royal|none|ca,de|Eduard VIII abdicated in 1936.
Enrique VIII|Henry VIII|historical|none|es|Enrique VIII broke with Rome.
Enrico VIII|Henry VIII|historical|none|it|Enrico VIII broke with Rome.
Henri VIII|Henry VIII|historical|none|fr|Henri VIII broke with Rome.
Henrique VIII|Henry VIII|historical|none|pt|Henrique VIII broke with Rome.
Enric VIII|Henry VIII|historical|none|ca|Enric VIII broke with Rome.
Heinrich VIII|Henry VIII|historical|none|de|Heinrich VIII broke with Rome.
Luis XIV|Louis XIV|historical|none|es|Versailles was built by Luis XIV.
Luigi XIV|Louis XIV|historical|none|it|Versailles was built by Luigi XIV.
Luís XIV|Louis XIV|historical|none|pt|Versailles was built by Luís XIV.
Lluís XIV|Louis XIV|historical|none|ca|Versailles was built by Lluís XIV.
Ludwig XIV|Louis XIV|historical|none|de|Versailles was built by Ludwig XIV.
Luis XVI|Louis XVI|historical|none|es|Luis XVI was executed in 1793.
Luigi XVI|Louis XVI|historical|none|it|Luigi XVI was executed in 1793.
Carlos XVI Gustavo|Carl XVI Gustaf|royal|none|es,pt|Carlos XVI Gustavo opened the session.
Carlo XVI Gustavo|Carl XVI Gustaf|royal|none|it|Carlo XVI Gustavo opened the session.
Charles XVI Gustave|Carl XVI Gustaf|royal|none|fr|Charles XVI Gustave opened the session.
Carles XVI Gustau|Carl XVI Gustaf|royal|none|ca|Carles XVI Gustau opened the session.
Margarita II|Margrethe II|royal|none|es|Margarita II abdicated in January.
Margherita II|Margrethe II|royal|none|it|Margherita II abdicated in January.
Margarida II|Margrethe II|royal|none|pt,ca|Margarida II abdicated in January.
Federico X|Frederik X|royal|none|es,it|Federico X was proclaimed king.
Frederico X|Frederik X|royal|none|pt|Frederico X was proclaimed king.
Frederic X|Frederik X|royal|none|ca|Frederic X was proclaimed king.
Guillermo Alejandro|Willem-Alexander|royal|none|es|Guillermo Alejandro opened the parliament.
Guglielmo Alessandro|Willem-Alexander|royal|none|it|Guglielmo Alessandro opened the parliament.
Filipe VI|Felipe VI|royal|none|pt|Filipe VI addressed the nation.
Filippo VI|Felipe VI|royal|none|it|Filippo VI addressed the nation.
Felip VI|Felipe VI|royal|none|ca|Felip VI addressed the nation.
Guillermo|William|royal|title|es|Prince Guillermo visited the hospital.
Guilherme|William|royal|title|pt|Prince Guilherme visited the hospital.
Guglielmo|William|royal|title|it|Prince Guglielmo visited the hospital.
Guillaume|William|royal|title|fr|Prince Guillaume visited the hospital.
Guillem|William|royal|title|ca|Prince Guillem visited the hospital.
Enrique|Harry|royal|title|es|Prince Enrique gave an interview.
Henrique|Harry|royal|title|pt|Prince Henrique gave an interview.
Enric|Harry|royal|title|ca|Prince Enric gave an interview.
Carlos|Charles|royal|title|es,pt|King Carlos addressed Parliament.
Carlo|Charles|royal|title|it|King Carlo addressed Parliament.
Carles|Charles|royal|title|ca|King Carles addressed Parliament.
Isabel|Elizabeth|royal|title|es,pt|Queen Isabel celebrated her jubilee.
Elisabetta|Elizabeth|royal|title|it|Queen Elisabetta celebrated her jubilee.
Élisabeth|Elizabeth|royal|title|fr|Queen Élisabeth celebrated her jubilee.
Elisabet|Elizabeth|royal|title|ca|Queen Elisabet celebrated her jubilee.
Catalina|Catherine|royal|title|es|Princess Catalina attended the ceremony.
Catarina|Catherine|royal|title|pt|Princess Catarina attended the ceremony.
Caterina|Catherine|royal|title|it,ca|Princess Caterina attended the ceremony.
Camila|Camilla|royal|title|es,pt|Queen Camila attended the ceremony.
Camil·la|Camilla|royal|title|ca|Queen Camil·la attended the ceremony.
Andrés|Andrew|royal|title|es|Prince Andrés stepped back from public duties.
Andreu|Andrew|royal|title|ca|Prince Andreu stepped back from public duties.
Eduardo|Edward|royal|title|es,pt|Prince Eduardo opened the exhibition.
Edoardo|Edward|royal|title|it|Prince Edoardo opened the exhibition.
Jorge|George|royal|title|es,pt|Prince Jorge turned ten.
Giorgio|George|royal|title|it|Prince Giorgio turned ten.
Jordi|George|royal|title|ca|Prince Jordi turned ten.
Carlota|Charlotte|royal|title|es,pt,ca|Princess Carlota turned eight.
Carlotta|Charlotte|royal|title|it|Princess Carlotta turned eight.
Francisco|Francis|pope|title|es,pt|Pope Francisco celebrated Mass.
Francesco|Francis|pope|title|it|Pope Francesco celebrated Mass.
François|Francis|pope|title|fr|Pope François celebrated Mass.
Franziskus|Francis|pope|title|de|Pope Franziskus celebrated Mass.
Francesc|Francis|pope|title|ca|Pope Francesc celebrated Mass.
Benedicto XVI|Benedict XVI|pope|none|es|Benedicto XVI resigned in 2013.
Benedetto XVI|Benedict XVI|pope|none|it|Benedetto XVI resigned in 2013.
Benoît XVI|Benedict XVI|pope|none|fr|Benoît XVI resigned in 2013.
Bento XVI|Benedict XVI|pope|none|pt|Bento XVI resigned in 2013.
Benet XVI|Benedict XVI|pope|none|ca|Benet XVI resigned in 2013.
Benedikt XVI|Benedict XVI|pope|none|de|Benedikt XVI resigned in 2013.
Benedicto|Benedict|pope|title|es|Pope Benedicto resigned in 2013.
Benedetto|Benedict|pope|title|it|Pope Benedetto resigned in 2013.
Juan Pablo II|John Paul II|pope|none|es|Juan Pablo II visited Poland.
Giovanni Paolo II|John Paul II|pope|none|it|Giovanni Paolo II visited Poland.
Jean-Paul II|John Paul II|pope|none|fr|Jean-Paul II visited Poland.
João Paulo II|John Paul II|pope|none|pt|João Paulo II visited Poland.
Joan Pau II|John Paul II|pope|none|ca|Joan Pau II visited Poland.
Johannes Paul II|John Paul II|pope|none|de|Johannes Paul II visited Poland.
Juan XXIII|John XXIII|pope|none|es|Juan XXIII opened the council.
Giovanni XXIII|John XXIII|pope|none|it|Giovanni XXIII opened the council.
Jean XXIII|John XXIII|pope|none|fr|Jean XXIII opened the council.
João XXIII|John XXIII|pope|none|pt|João XXIII opened the council.
Joan XXIII|John XXIII|pope|none|ca|Joan XXIII opened the council.
Johannes XXIII|John XXIII|pope|none|de|Johannes XXIII opened the council.
Pablo VI|Paul VI|pope|none|es|Pablo VI closed the council.
Paolo VI|Paul VI|pope|none|it|Paolo VI closed the council.
Paulo VI|Paul VI|pope|none|pt|Paulo VI closed the council.
Pau VI|Paul VI|pope|none|ca|Pau VI closed the council.
Pío XII|Pius XII|pope|none|es|Pío XII was pope during the war.
Pio XII|Pius XII|pope|none|it,pt|Pio XII was pope during the war.
Pie XII|Pius XII|pope|none|fr|Pie XII was pope during the war.
León XIV|Leo XIV|pope|none|es|León XIV was elected in May.
Leone XIV|Leo XIV|pope|none|it|Leone XIV was elected in May.
Léon XIV|Leo XIV|pope|none|fr|Léon XIV was elected in May.
Leão XIV|Leo XIV|pope|none|pt|Leão XIV was elected in May.
Lleó XIV|Leo XIV|pope|none|ca|Lleó XIV was elected in May.
León XIII|Leo XIII|pope|none|es|León XIII wrote Rerum novarum.
Leone XIII|Leo XIII|pope|none|it|Leone XIII wrote Rerum novarum.
Cristóbal Colón|Christopher Columbus|historical|none|es|Cristóbal Colón reached the Americas in 1492.
Cristoforo Colombo|Christopher Columbus|historical|none|it|Cristoforo Colombo reached the Americas in 1492.
Cristóvão Colombo|Christopher Columbus|historical|none|pt|Cristóvão Colombo reached the Americas in 1492.
Christophe Colomb|Christopher Columbus|historical|none|fr|Christophe Colomb reached the Americas in 1492.
Cristòfor Colom|Christopher Columbus|historical|none|ca|Cristòfor Colom reached the Americas in 1492.
Christoph Kolumbus|Christopher Columbus|historical|none|de|Christoph Kolumbus reached the Americas in 1492.
Carlomagno|Charlemagne|historical|none|es,it,pt|Carlomagno was crowned in 800.
Karl der Große|Charlemagne|historical|none|de|Karl der Große was crowned in 800.
Juana de Arco|Joan of Arc|historical|none|es|Juana de Arco was burned in Rouen.
Giovanna d'Arco|Joan of Arc|historical|none|it|Giovanna d'Arco was burned in Rouen.
Joana d'Arc|Joan of Arc|historical|none|pt,ca|Joana d'Arc was burned in Rouen.
Alejandro Magno|Alexander the Great|historical|none|es|Alejandro Magno conquered Persia.
Alessandro Magno|Alexander the Great|historical|none|it|Alessandro Magno conquered Persia.
Alexandre le Grand|Alexander the Great|historical|none|fr|Alexandre le Grand conquered Persia.
Alexandre o Grande|Alexander the Great|historical|none|pt|Alexandre o Grande conquered Persia.
Alexandre el Gran|Alexander the Great|historical|none|ca|Alexandre el Gran conquered Persia.
Pedro el Grande|Peter the Great|historical|none|es|Pedro el Grande founded the city.
Pietro il Grande|Peter the Great|historical|none|it|Pietro il Grande founded the city.
Pierre le Grand|Peter the Great|historical|none|fr|Pierre le Grand founded the city.
Pedro o Grande|Peter the Great|historical|none|pt|Pedro o Grande founded the city.
Pere el Gran|Peter the Great|historical|none|ca|Pere el Gran founded the city.
Catalina la Grande|Catherine the Great|historical|none|es|Catalina la Grande annexed Crimea.
Caterina la Grande|Catherine the Great|historical|none|it|Caterina la Grande annexed Crimea.
Catherine la Grande|Catherine the Great|historical|none|fr|Catherine la Grande annexed Crimea.
Catarina a Grande|Catherine the Great|historical|none|pt|Catarina a Grande annexed Crimea.
Julio César|Julius Caesar|historical|none|es|Julio César crossed the Rubicon.
Giulio Cesare|Julius Caesar|historical|none|it|Giulio Cesare crossed the Rubicon.
Jules César|Julius Caesar|historical|none|fr|Jules César crossed the Rubicon.
Juli Cèsar|Julius Caesar|historical|none|ca|Juli Cèsar crossed the Rubicon.
Guillermo el Conquistador|William the Conqueror|historical|none|es|Guillermo el Conquistador invaded England.
Guillaume le Conquérant|William the Conqueror|historical|none|fr|Guillaume le Conquérant invaded England.
Guglielmo il Conquistatore|William the Conqueror|historical|none|it|Guglielmo il Conquistatore invaded England.
Ricardo Corazón de León|Richard the Lionheart|historical|none|es|Ricardo Corazón de León led the crusade.
Riccardo Cuor di Leone|Richard the Lionheart|historical|none|it|Riccardo Cuor di Leone led the crusade.
Richard Cœur de Lion|Richard the Lionheart|historical|none|fr|Richard Cœur de Lion led the crusade.
Martín Lutero|Martin Luther|historical|none|es|Martín Lutero posted his theses.
Martin Lutero|Martin Luther|historical|none|it|Martin Lutero posted his theses.
Martinho Lutero|Martin Luther|historical|none|pt|Martinho Lutero posted his theses.
Martí Luter|Martin Luther|historical|none|ca|Martí Luter posted his theses.
Carlos Marx|Karl Marx|historical|none|es,pt|Carlos Marx wrote Capital.
Carlo Marx|Karl Marx|historical|none|it|Carlo Marx wrote Capital.
Federico Engels|Friedrich Engels|historical|none|es,it|Federico Engels co-wrote the manifesto.
Tomás Moro|Thomas More|historical|none|es|Tomás Moro wrote Utopia.
Tommaso Moro|Thomas More|historical|none|it|Tommaso Moro wrote Utopia.
Nicolás Maquiavelo|Niccolò Machiavelli|historical|none|es|Nicolás Maquiavelo wrote The Prince.
Maquiavelo|Machiavelli|historical|none|es|Maquiavelo wrote The Prince.
Maquiavel|Machiavelli|historical|none|pt|Maquiavel wrote The Prince.
Nicolás Copérnico|Nicolaus Copernicus|historical|none|es|Nicolás Copérnico described the solar system.
Copérnico|Copernicus|historical|none|es,pt|Copérnico described the solar system.
Copernico|Copernicus|historical|none|it|Copernico described the solar system.
Confucio|Confucius|historical|none|es,it|Confucio taught in Lu.
Confúcio|Confucius|historical|none|pt|Confúcio taught in Lu.
Mahoma|Muhammad|historical|none|es|Mahoma was born in Mecca.
Maometto|Muhammad|historical|none|it|Maometto was born in Mecca.
Maomé|Muhammad|historical|none|pt|Maomé was born in Mecca.
Jesucristo|Jesus Christ|historical|none|es|Jesucristo was born in Bethlehem.
Gengis Kan|Genghis Khan|historical|none|es|Gengis Kan united the Mongols.
Gengis Khan|Genghis Khan|historical|none|es,it,fr,pt|Gengis Khan united the Mongols.
Dschingis Khan|Genghis Khan|historical|none|de|Dschingis Khan united the Mongols.
Napoleone|Napoleon|historical|none|it|Napoleone was exiled to Elba.
Napoleão|Napoleon|historical|none|pt|Napoleão was exiled to Elba.
Nerón|Nero|historical|none|es|Nerón ruled Rome.
Nerone|Nero|historical|none|it|Nerone ruled Rome.
Platón|Plato|historical|none|es|Platón founded the Academy.
Platone|Plato|historical|none|it|Platone founded the Academy.
Platão|Plato|historical|none|pt|Platão founded the Academy.
Aristóteles|Aristotle|historical|none|es,pt|Aristóteles taught Alexander.
Aristotele|Aristotle|historical|none|it|Aristotele taught Alexander.
Aristote|Aristotle|historical|none|fr|Aristote taught Alexander.
Carlos V|Charles V|historical|none|es,pt|The empire of Carlos V stretched to the Americas.
Carlo V|Charles V|historical|none|it|The empire of Carlo V stretched to the Americas.
Charles Quint|Charles V|historical|none|fr|The empire of Charles Quint stretched to the Americas.
Carles V|Charles V|historical|none|ca|The empire of Carles V stretched to the Americas.
OTAN|NATO|organisation|none|es,fr,pt,ca|OTAN leaders met in Vilnius.
ONU|UN|organisation|none|es,fr,pt,it,ca|The ONU said on Friday that aid was blocked.
OMS|WHO|organisation|none|es,fr,pt,it,ca|The OMS declared a pandemic.
FMI|IMF|organisation|none|es,fr,pt,it,ca|The FMI cut its growth forecast.
OCDE|OECD|organisation|none|es,fr,pt,ca|The OCDE published its outlook.
OMC|WTO|organisation|none|es,fr,pt,it,ca|The OMC ruled against the tariffs.
OIEA|IAEA|organisation|none|es|The OIEA inspectors arrived in Iran.
AIEA|IAEA|organisation|none|fr,it,pt|The AIEA inspectors arrived in Iran.
EEUU|US|organisation|none|es|The EEUU imposed new sanctions.
EE.UU.|US|organisation|none|es|The EE.UU. imposed new sanctions.
EE. UU.|US|organisation|none|es|The EE. UU. imposed new sanctions.
Naciones Unidas|United Nations|organisation|none|es|The Naciones Unidas called for a ceasefire.
Nações Unidas|United Nations|organisation|none|pt|The Nações Unidas called for a ceasefire.
Nazioni Unite|United Nations|organisation|none|it|The Nazioni Unite called for a ceasefire.
Nations unies|United Nations|organisation|none|fr|The Nations unies called for a ceasefire.
Vereinte Nationen|United Nations|organisation|none|de|The Vereinte Nationen called for a ceasefire.
Nacions Unides|United Nations|organisation|none|ca|The Nacions Unides called for a ceasefire.
Unión Europea|European Union|organisation|none|es|Ministers of the Unión Europea met on Monday.
União Europeia|European Union|organisation|none|pt|Ministers of the União Europeia met on Monday.
Unione Europea|European Union|organisation|none|it|Ministers of the Unione Europea met on Monday.
Union européenne|European Union|organisation|none|fr|Ministers of the Union européenne met on Monday.
Europäische Union|European Union|organisation|none|de|Ministers of the Europäische Union met on Monday.
Unió Europea|European Union|organisation|none|ca|Ministers of the Unió Europea met on Monday.
Banco Central Europeo|European Central Bank|organisation|none|es|The Banco Central Europeo raised rates.
Banco Central Europeu|European Central Bank|organisation|none|pt|The Banco Central Europeu raised rates.
Banca Centrale Europea|European Central Bank|organisation|none|it|The Banca Centrale Europea raised rates.
Banque centrale européenne|European Central Bank|organisation|none|fr|The Banque centrale européenne raised rates.
Europäische Zentralbank|European Central Bank|organisation|none|de|The Europäische Zentralbank raised rates.
Fondo Monetario Internacional|International Monetary Fund|organisation|none|es|The Fondo Monetario Internacional cut its forecast.
Fundo Monetário Internacional|International Monetary Fund|organisation|none|pt|The Fundo Monetário Internacional cut its forecast.
Fondo Monetario Internazionale|International Monetary Fund|organisation|none|it|The Fondo Monetario Internazionale cut its forecast.
Fonds monétaire international|International Monetary Fund|organisation|none|fr|The Fonds monétaire international cut its forecast.
Organización Mundial de la Salud|World Health Organization|organisation|none|es|The Organización Mundial de la Salud issued a warning.
Organização Mundial da Saúde|World Health Organization|organisation|none|pt|The Organização Mundial da Saúde issued a warning.
Organizzazione Mondiale della Sanità|World Health Organization|organisation|none|it|The Organizzazione Mondiale della Sanità issued a warning.
Organisation mondiale de la santé|World Health Organization|organisation|none|fr|The Organisation mondiale de la santé issued a warning.
Casa Blanca|White House|organisation|none|es|The Casa Blanca said on Tuesday that talks would resume.
Casa Branca|White House|organisation|none|pt|The Casa Branca said on Tuesday that talks would resume.
Maison Blanche|White House|organisation|none|fr|The Maison Blanche said on Tuesday that talks would resume.
Casa Bianca|White House|organisation|none|it|The Casa Bianca said on Tuesday that talks would resume.
Weißes Haus|White House|organisation|none|de|The Weißes Haus said on Tuesday that talks would resume.
Casa Blanca|White House|organisation|none|ca|The Casa Blanca said on Tuesday that talks would resume.
Rey|King|title|name:m|es|Rey Felipe opened the session.
Rei|King|title|name:m|pt,ca|Rei Charles III opened the session.
Roi|King|title|name:m|fr|Roi Charles III opened the session.
Re|King|title|name:m|it|Re Carlo III opened the session.
König|King|title|name:m|de|König Charles III opened the session.
Reina|Queen|title|name:f|es,ca|Reina Elizabeth II opened the session.
Rainha|Queen|title|name:f|pt|Rainha Elizabeth II opened the session.
Reine|Queen|title|name:f|fr|Reine Elizabeth II opened the session.
Regina|Queen|title|name:f|it|Regina Elisabetta II opened the session.
Königin|Queen|title|name:f|de|Königin Elizabeth II opened the session.
Príncipe|Prince|title|name:m|es,pt|Príncipe William visited the hospital.
Principe|Prince|title|name:m|it|Principe William visited the hospital.
Príncep|Prince|title|name:m|ca|Príncep William visited the hospital.
Prinz|Prince|title|name:m|de|Prinz William visited the hospital.
Princesa|Princess|title|name:f|es,pt,ca|Princesa Catherine visited the hospital.
Principessa|Princess|title|name:f|it|Principessa Catherine visited the hospital.
Princesse|Princess|title|name:f|fr|Princesse Catherine visited the hospital.
Prinzessin|Princess|title|name:f|de|Prinzessin Catherine visited the hospital.
Papa|Pope|title|name:p|es,it,pt,ca|Papa Francis celebrated Mass.
Pape|Pope|title|name:p|fr|Pape Francis celebrated Mass.
Papst|Pope|title|name:p|de|Papst Francis celebrated Mass.
"""


def fold(text: str) -> str:
    """Accent- and case-insensitive key, with 'St.' read as 'Saint'."""
    text = text.replace("St. ", "Saint ").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().replace("-", " ")


def babel_sources() -> tuple[list[tuple[str, str, str, str]], set[str]]:
    """(foreign, English, lang, source) for countries and cities, and every English name seen."""
    from babel import Locale

    en = Locale("en")
    english_names: set[str] = set(en.territories.values())
    rows = []
    for code, english in en.territories.items():
        if not (len(code) == 2 and code.isalpha()) or code in ("ZZ", "QO", "XA", "XB", "EZ"):
            continue
        for lang in LANGS:
            foreign = Locale(lang).territories.get(code)
            if foreign:
                rows.append((foreign, english, lang, "cldr-territory"))

    def english_city(tz: str) -> str:
        data = en.time_zones.get(tz, {})
        return data.get("city") or tz.split("/")[-1].replace("_", " ")

    for tz in Locale("es").time_zones.keys() | Locale("fr").time_zones.keys():
        english_names.add(english_city(tz))
    for lang in LANGS:
        for tz, data in Locale(lang).time_zones.items():
            city = data.get("city")
            if city:
                english = english_city(tz)
                english_names.add(english)
                rows.append((city, english, lang, "cldr-city"))
    return rows, english_names


def iso_codes_source(english_by_code: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """Country names from Debian iso-codes' gettext catalogues (official names included)."""
    if not ISO_JSON.exists():
        print(f"warning: {ISO_JSON} missing (apt-get install iso-codes); skipped", file=sys.stderr)
        return []
    entries = json.loads(ISO_JSON.read_text(encoding="utf-8"))["3166-1"]
    rows = []
    for lang in LANGS:
        try:
            catalogue = gettext.translation("iso_3166-1", str(LOCALE_DIR), languages=[lang])
        except OSError:
            continue
        for e in entries:
            english = english_by_code.get(e["alpha_2"])
            if not english:
                continue
            for key in ("name", "common_name", "official_name"):
                msgid = e.get(key)
                if msgid:
                    foreign = catalogue.gettext(msgid)
                    if foreign != msgid:
                        rows.append((foreign, english, lang, "iso-codes"))
    return rows


def example_for(foreign: str, category: str) -> str:
    if category == "organisation":
        return f"Officials of the {foreign} met on Monday."
    return f"The minister flew to {foreign} on Monday."


def candidate_rows() -> list[dict[str, str]]:
    """All candidate rows before the frequency and human-text checks."""
    from babel import Locale

    generated, english_names = babel_sources()
    en = Locale("en")
    english_by_code = {c: n for c, n in en.territories.items() if len(c) == 2}
    generated += iso_codes_source(english_by_code)
    hand_people = [ln.split("|") for ln in PEOPLE_AND_BODIES.strip().splitlines()]
    hand_cities = [ln.split("|") for ln in CITIES.strip().splitlines()]
    english_names |= set(ENGLISH_ALTERNATES) | {h[1] for h in hand_cities} | {h[1] for h in hand_people}
    english_folds = {fold(n) for n in english_names}

    # foreign -> english -> (category, gate, langs, example, tier); hand rows win over generated ones.
    merged: dict[str, dict[str, dict]] = defaultdict(dict)

    def add(foreign, english, category, gate, langs, example, tier):
        slot = merged[foreign].setdefault(english, {"category": category, "gate": gate, "langs": [],
                                                    "example": example, "tier": tier})
        for lang in langs:
            if lang not in slot["langs"]:
                slot["langs"].append(lang)

    def kept_langs(langs: str, category: str) -> list[str]:
        codes = langs.split(",")
        return codes if category == "title" else [c for c in codes if c not in NAME_LANGS_EXCLUDED]

    for foreign, english, category, gate, langs, example in hand_people:
        if kept_langs(langs, category):
            add(foreign, english, category, gate, kept_langs(langs, category), example, 0)
    for foreign, english, langs in hand_cities:
        if foreign in SKIP_FORMS or not kept_langs(langs, "exonym"):
            continue
        add(foreign, english, "exonym", "none", kept_langs(langs, "exonym"), example_for(foreign, "exonym"), 1)
    from wordfreq import zipf_frequency

    for foreign, english, lang, source in generated:
        english = ENGLISH_RENAMES.get(english, english).replace(" & ", " and ")
        if source == "cldr-city" and zipf_frequency(english, "en") < CITY_MIN_ENGLISH_ZIPF:
            continue
        if not foreign[:1].isupper() or any(ch in foreign for ch in "(),[]&/"):
            continue
        if foreign.startswith(SKIP_PREFIXES) or foreign in SKIP_FORMS:
            continue
        category = "organisation" if english in ("European Union", "United Nations") else "exonym"
        add(foreign, english, category, "none", [lang], example_for(foreign, category), 2)

    rows = []
    for foreign, by_english in merged.items():
        best_tier = min(v["tier"] for v in by_english.values())
        best = {e: v for e, v in by_english.items() if v["tier"] == best_tier}
        if len(best) > 1:
            continue  # one form, several English names: not evidence for either
        english, v = next(iter(best.items()))
        if v["category"] in ("exonym", "organisation") and fold(foreign) in english_folds:
            continue  # the English name itself, or an accent-only variant of an English name
        if fold(foreign) == fold(english):
            continue
        rows.append({"foreign": foreign, "english": english, "category": v["category"], "gate": v["gate"],
                     "source_lang": ",".join(v["langs"]), "example": v["example"]})
    return rows


def names_dataset_ranks() -> tuple[dict[str, int], dict[str, int]]:
    """Best rank of each given name and surname in names-dataset (empty when not installed)."""
    try:
        import gzip
        import pickle

        import names_dataset  # build-time only: pip install names-dataset
    except ImportError:
        print("warning: names-dataset not installed: the person-name check is skipped", file=sys.stderr)
        return {}, {}
    base = Path(names_dataset.__file__).parent / "v3"
    out = []
    for name in ("first_names.pkl.gz", "last_names.pkl.gz"):
        with gzip.open(base / name) as fh:
            table = pickle.load(fh)
        ranks = {}
        for word, entry in table.items():
            values = [r for r in (entry.get("rank") or {}).values() if r]
            if values:
                ranks[word] = min(values)
        out.append(ranks)
    return out[0], out[1]


def frequency_gate(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """Drop forms that are English words or people's names; gate the ones in between."""
    from wordfreq import zipf_frequency

    given, surnames = names_dataset_ranks()
    kept, dropped = [], []
    for row in rows:
        if row["category"] in ("exonym", "organisation") and " " not in row["foreign"]:
            g = given.get(row["foreign"], 10**9)
            f = surnames.get(row["foreign"], 10**9)
            if g <= GIVEN_NAME_DROP_RANK:
                dropped.append((row["foreign"], f"given name (rank {g})"))
                continue
            if min(g, f) <= NAME_GATE_RANK and row["category"] == "exonym":
                row = {**row, "gate": "prep"}
        if row["category"] == "title" or row["gate"] != "none" or len(row["foreign"].split()) > 1:
            # wordfreq rates a phrase by its rarest word, which says nothing about the phrase:
            # multi-word forms are judged on the human text only.
            kept.append(row)
            continue
        z = zipf_frequency(row["foreign"], "en")
        if z >= 3.0:
            dropped.append((row["foreign"], f"English frequency {z:.2f}"))
            continue
        if z >= 2.0 and row["category"] == "exonym":
            row = {**row, "gate": "prep", "example": f"The minister flew to {row['foreign']} on Monday."}
        kept.append(row)
    return kept, dropped


def human_texts() -> list[str]:
    """Every human-written document of the shared data (empty without it)."""
    try:
        from mtdetect.datasets import has_shared_data, shipped_splits
    except ImportError:  # pragma: no cover
        return []
    if not has_shared_data():
        print("warning: shared data not found: human-text check skipped", file=sys.stderr)
        return []
    s = shipped_splits()
    seen, out = set(), []
    for d in s["train"] + s["dev"]:
        if d.label in ("original", "human_translation") and d.id not in seen:
            seen.add(d.id)
            out.append(d.text)
    return out


def firing_rows(rows: list[dict[str, str]], docs) -> dict[str, list[str]]:
    """foreign form -> texts it fired on, running the recognizer with ``rows`` as its lexicon."""
    rec = LocalisedNameRecognizer(rows=tuple(rows)).load()
    forms_by_word: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        forms_by_word[first_word(row["foreign"])].append(row["foreign"])
    fired: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        for f in rec.analyze(doc):
            forms = [x for x in forms_by_word.get(first_word(f.text), []) if f.text.startswith(x)]
            if forms:
                fired[max(forms, key=len)].append(f.text)
            else:  # a translated numeral after an English name: no row to blame
                fired["?" + f.text].append(f.text)
    return fired


def human_check(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """Gate, then drop, the rows that fire on human-written text."""
    texts = human_texts()
    if not texts:
        return rows, []
    docs = [segment(t) for t in texts]
    dropped = []
    for _ in range(3):
        fired = firing_rows(rows, docs)
        if not any(k in {r["foreign"] for r in rows} for k in fired):
            break
        new_rows = []
        for row in rows:
            hits = fired.get(row["foreign"])
            if not hits:
                new_rows.append(row)
            elif row["gate"] == "none" and row["category"] == "exonym":
                new_rows.append({**row, "gate": "prep"})
            else:
                dropped.append((row["foreign"], f"fires on human text: {hits[:3]}"))
        rows = new_rows
    return rows, dropped


def write(rows: list[dict[str, str]]) -> None:
    header = (
        "# Names left in a pivot language's form -> the English form. GENERATED by\n"
        "# scripts/build_localised_names.py from CLDR (Babel), Debian iso-codes and the script's\n"
        "# hand-written lists; edit the script, not this file.\n"
        "# category: exonym | royal | pope | historical | organisation | title\n"
        "# gate: none | prep (after a place preposition) | title (after a royal/papal title) |\n"
        "#       name:m / name:f / name:p (a foreign title: before a male / female royal or a papal name)\n"
        "foreign\tenglish\tcategory\tgate\tsource_lang\texample\n"
    )
    order = {"title": 0, "royal": 1, "pope": 2, "historical": 3, "organisation": 4, "exonym": 5}
    rows = sorted(rows, key=lambda r: (order[r["category"]], r["english"], r["foreign"]))
    body = "".join(
        "\t".join(r[k] for k in ("foreign", "english", "category", "gate", "source_lang", "example")) + "\n"
        for r in rows
    )
    OUT.write_text(header + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="list the dropped forms and why")
    args = ap.parse_args(argv)
    rows = candidate_rows()
    n_candidates = len(rows)
    rows, dropped_freq = frequency_gate(rows)
    rows, dropped_human = human_check(rows)
    write(rows)
    by_cat: dict[str, int] = defaultdict(int)
    for r in rows:
        by_cat[r["category"]] += 1
    print(f"{n_candidates} candidates -> {len(rows)} rows in {OUT.relative_to(ROOT)} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by_cat.items()))}); "
          f"{sum(r['gate'] == 'prep' for r in rows)} need a preposition; dropped {len(dropped_freq)} "
          f"as English words and {len(dropped_human)} on human text")
    if args.check:
        for form, why in dropped_freq + dropped_human:
            print(f"  dropped {form!r}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
